using EdgeAgent.Messaging.Connection;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Models;

/// <summary>
/// Refuses to start when a model chunk could not reach the box: the broker withholds any packet larger than
/// <see cref="MqttOptions.MaxPacketBytes"/>, so a push would stall on its first chunk with no error anywhere.
/// </summary>
public sealed class PacketLimitValidation(IOptions<MqttOptions> mqtt) : IValidateOptions<ModelTransferLimits>
{
    /// <summary>Room for a chunk's topic and MQTT headers.</summary>
    public const int ChunkOverheadBytes = 1024;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ModelTransferLimits options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var packet = mqtt.Value.MaxPacketBytes;
        return (long)options.MaxChunkBytes + ChunkOverheadBytes <= packet
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Models:Transfer:MaxChunkBytes {options.MaxChunkBytes} plus {ChunkOverheadBytes} bytes of headers exceeds Mqtt:MaxPacketBytes {packet}: the broker would withhold every chunk. Raise Mqtt:MaxPacketBytes or lower the chunk limit.");
    }
}
