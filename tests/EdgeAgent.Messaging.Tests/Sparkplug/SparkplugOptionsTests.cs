using System.ComponentModel.DataAnnotations;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Sparkplug;

namespace EdgeAgent.Messaging.Tests.Sparkplug;

public sealed class SparkplugOptionsTests
{
    [Theory]
    [InlineData("GroupId", "plant/a")]
    [InlineData("GroupId", "plant+")]
    [InlineData("GroupId", "#")]
    [InlineData("GroupId", "")]
    [InlineData("EdgeNodeId", "line/1")]
    [InlineData("DeviceId", "aoi#1")]
    [InlineData("DeviceId", "")]
    public void Validate_IdWithTopicSeparatorWildcardOrEmpty_Refused(string property, string value)
    {
        var options = new SparkplugOptions { BdSeqFile = "/tmp/x" };
        typeof(SparkplugOptions).GetProperty(property)!.SetValue(options, value);

        var errors = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));
        Assert.Contains(errors, e => e.MemberNames.Contains(property));
    }

    [Fact]
    public void Validate_Defaults_Accepted()
    {
        var options = new SparkplugOptions();

        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
        Assert.True(new SparkplugOptionsValidation().Validate(null, options).Succeeded); // disabled: no bdSeq file needed
    }

    [Fact]
    public void Validate_EnabledWithoutBdSeqFile_Refused()
    {
        var result = new SparkplugOptionsValidation().Validate(null, new SparkplugOptions { Enabled = true });

        Assert.True(result.Failed);
        Assert.Contains("Sparkplug:BdSeqFile", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Topics_NoEdgeNodeId_NodeFromSiteLineStationAndSparkplugVerbs()
    {
        var topics = new SparkplugTopics(new SparkplugOptions { GroupId = "Plant 1" }, new MqttOptions { Site = "sz", Line = "L3", Station = "aoi2" });

        Assert.Equal("spBv1.0/Plant 1/NBIRTH/sz-L3-aoi2", topics.NodeBirth);
        Assert.Equal("spBv1.0/Plant 1/NDEATH/sz-L3-aoi2", topics.NodeDeath);
        Assert.Equal("spBv1.0/Plant 1/NCMD/sz-L3-aoi2", topics.NodeCommand);
        Assert.Equal("spBv1.0/Plant 1/DBIRTH/sz-L3-aoi2/edgeagent", topics.DeviceBirth);
        Assert.Equal("spBv1.0/Plant 1/DDATA/sz-L3-aoi2/edgeagent", topics.DeviceData);
    }

    [Fact]
    public void Topics_EdgeNodeIdSet_UsedAsIs()
    {
        var topics = new SparkplugTopics(new SparkplugOptions { EdgeNodeId = "AOI-7", DeviceId = "inspection" }, new MqttOptions());

        Assert.Equal("spBv1.0/EdgeAgent/DDATA/AOI-7/inspection", topics.DeviceData);
    }
}
