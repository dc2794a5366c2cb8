using System.Buffers;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Messaging.Sparkplug;
using EdgeAgent.Testing;
using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;

namespace EdgeAgent.Messaging.Tests.Sparkplug;

public sealed class SparkplugPayloadsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void NodeBirth_Encoded_CarriesSeqBdSeqAsInt64AndRebirthFalseWithUtcMillis()
    {
        using var temp = new TempFolder();
        using var signer = new BoxSigner(Path.Combine(temp.Path, "box-signing.key"));
        var birth = Payload.Parser.ParseFrom(SparkplugPayloads.NodeBirth(42, 0, At, signer.Key).ToByteArray());

        Assert.Equal((true, 0UL), (birth.HasSeq, birth.Seq));
        Assert.Equal((ulong)At.ToUnixTimeMilliseconds(), birth.Timestamp);
        Assert.Equal(1796608800000UL, birth.Timestamp); // 2026-12-07T02:00:00Z: the offset does not leak in
        var bdSeq = birth.Metrics.Single(m => m.Name == "bdSeq");
        Assert.Equal(((uint)DataType.Int64, 42UL), (bdSeq.Datatype, bdSeq.LongValue));
        var rebirth = birth.Metrics.Single(m => m.Name == "Node Control/Rebirth");
        Assert.Equal(((uint)DataType.Boolean, false), (rebirth.Datatype, rebirth.BooleanValue));
        Assert.Equal(Payload.Types.Metric.ValueOneofCase.BooleanValue, rebirth.ValueCase);
    }

    [Fact]
    public void NodeDeath_Encoded_HasTheBdSeqAndNoSeq()
    {
        var death = Payload.Parser.ParseFrom(SparkplugPayloads.NodeDeath(7, At).ToByteArray());

        Assert.False(death.HasSeq);
        Assert.Equal(7UL, Assert.Single(death.Metrics, m => m.Name == "bdSeq").LongValue);
    }

    [Fact]
    public void DeviceBirthAndData_OneMetricOfEachKind_TypedInTheBirthOnlyAndNullFlagged()
    {
        SparkplugMetric[] metrics =
        [
            new("s", DataType.String, "healthy"),
            new("u64", DataType.Uint64, 5L),
            new("u32", DataType.Uint32, 3),
            new("d", DataType.Double, 0.25),
            new("t", DataType.DateTime, At),
            new("none", DataType.Double, null),
        ];

        var birth = Payload.Parser.ParseFrom(SparkplugPayloads.DeviceBirth(metrics, 1, At).ToByteArray());
        var data = Payload.Parser.ParseFrom(SparkplugPayloads.DeviceData(metrics, 2, At).ToByteArray());

        Assert.Equal((1UL, 2UL), (birth.Seq, data.Seq));
        Assert.All(birth.Metrics, m => Assert.True(m.HasDatatype && m.HasTimestamp, m.Name));
        Assert.All(data.Metrics, m => Assert.False(m.HasDatatype, m.Name));
        Assert.Equal("healthy", data.Metrics[0].StringValue);
        Assert.Equal(5UL, data.Metrics[1].LongValue);
        Assert.Equal(3U, data.Metrics[2].IntValue);
        Assert.Equal(0.25, data.Metrics[3].DoubleValue);
        Assert.Equal((ulong)At.ToUnixTimeMilliseconds(), data.Metrics[4].LongValue);
        Assert.True(data.Metrics[5].IsNull);
        Assert.Equal(Payload.Types.Metric.ValueOneofCase.None, data.Metrics[5].ValueCase);
    }

    [Fact]
    public void IsRebirthRequest_RebirthTrue_True()
    {
        Assert.True(SparkplugPayloads.IsRebirthRequest(Command(new Payload.Types.Metric { Name = "Node Control/Rebirth", BooleanValue = true })));
    }

    [Fact]
    public void IsRebirthRequest_RebirthFalseOrOtherMetric_False()
    {
        Assert.False(SparkplugPayloads.IsRebirthRequest(Command(new Payload.Types.Metric { Name = "Node Control/Rebirth", BooleanValue = false })));
        Assert.False(SparkplugPayloads.IsRebirthRequest(Command(new Payload.Types.Metric { Name = "Node Control/Reboot", BooleanValue = true })));
        Assert.False(SparkplugPayloads.IsRebirthRequest(Command(new Payload.Types.Metric { Name = "Node Control/Rebirth", StringValue = "true" })));
    }

    [Fact]
    public void IsRebirthRequest_NotProtobuf_FalseNotAnException()
    {
        Assert.False(SparkplugPayloads.IsRebirthRequest(new ReadOnlySequence<byte>("{\"rebirth\":true}"u8.ToArray())));
        Assert.False(SparkplugPayloads.IsRebirthRequest(new ReadOnlySequence<byte>([0xff, 0xff, 0xff])));
    }

    private static ReadOnlySequence<byte> Command(Payload.Types.Metric metric) =>
        new(new Payload { Timestamp = 1, Metrics = { metric } }.ToByteArray());
}
