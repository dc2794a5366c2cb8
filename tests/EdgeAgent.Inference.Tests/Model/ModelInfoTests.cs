using EdgeAgent.Inference.Model;
using EdgeAgent.Score;

namespace EdgeAgent.Inference.Tests.Model;

public sealed class ModelInfoTests
{
    private static Dictionary<string, string> Valid() => new()
    {
        ["edgeagent.contract"] = "stpm-maps/1",
        ["edgeagent.name"] = "m",
        ["edgeagent.version"] = "1",
        ["edgeagent.arch"] = "resnet18",
        ["edgeagent.crop"] = "320",
        ["edgeagent.input"] = "160",
        ["edgeagent.pad"] = "8",
        ["edgeagent.layer_weights"] = "0.5,1,0.5",
        ["edgeagent.mask"] = "gaussian:0.25",
        ["edgeagent.threshold"] = "1.7",
    };

    [Fact]
    public void FromMetadata_Valid_ReadsGeometryAndScoring()
    {
        var info = ModelInfo.FromMetadata(Valid(), "abc");

        Assert.Equal((320, 160, 8), (info.Crop, info.Input, info.Pad));
        Assert.Equal([0.5, 1, 0.5], info.StpmScoring.LayerWeights);
        Assert.Equal(new MaskSpec(MaskKind.Gaussian, 0.25), info.StpmScoring.Mask);
        Assert.Equal(1.7, info.StpmScoring.Threshold);
    }

    [Theory]
    [InlineData("edgeagent.contract", "stpm-maps/2", "contract")]
    [InlineData("edgeagent.threshold", "abc", "not a positive number")]
    [InlineData("edgeagent.layer_weights", "1,1", "Layer weights")]
    [InlineData("edgeagent.mask", "star:1", "Unknown mask")]
    [InlineData("edgeagent.input", "0", "edgeagent.input")]
    [InlineData("edgeagent.name", "", "lacks 'edgeagent.name'")]
    [InlineData("edgeagent.ood_bound", "-1", "edgeagent.ood_bound")]
    public void FromMetadata_BadValue_ThrowsNamingTheProblem(string key, string value, string expected)
    {
        var metadata = Valid();
        metadata[key] = value;

        var e = Assert.Throws<ModelContractException>(() => ModelInfo.FromMetadata(metadata, "abc"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
