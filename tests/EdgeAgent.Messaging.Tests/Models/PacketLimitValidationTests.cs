using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Models;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Tests.Models;

public sealed class PacketLimitValidationTests
{
    [Fact]
    public void Validate_ChunkLimitAboveWhatTheBrokerWillDeliver_FailsNamingBothSettings()
    {
        var validation = new PacketLimitValidation(Options.Create(new MqttOptions { MaxPacketBytes = 1024 * 1024 }));

        var result = validation.Validate(null, new ModelTransferLimits { MaxChunkBytes = 1024 * 1024 });

        Assert.True(result.Failed);
        Assert.Contains("Mqtt:MaxPacketBytes", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new PacketLimitValidation(Options.Create(new MqttOptions())).Validate(null, new ModelTransferLimits()).Succeeded);
}
