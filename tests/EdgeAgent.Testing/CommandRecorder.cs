using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using EdgeAgent.Messaging.Models;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Testing;

/// <summary>One model command as it crossed the broker: topic and payload, byte for byte.</summary>
public sealed record RecordedCommand(string Topic, byte[] Payload)
{
    /// <summary>The command's leaf (<c>begin</c>, <c>chunk</c>, <c>end</c>, <c>rollback</c>, <c>promote</c>).</summary>
    public string Command => Topic.Split("/cmd/model/")[1].Split('/')[0];
}

/// <summary>
/// What an attacker who can subscribe and publish on the box's broker does: records every model command a technician
/// sends to the box, and sends recorded ones again unchanged, reading the box's answers.
/// </summary>
public sealed class CommandRecorder : IAsyncDisposable
{
    private static readonly TimeSpan Answer = TimeSpan.FromMinutes(2);
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentQueue<RecordedCommand> _recorded = new();
    private readonly BlockingCollection<ModelStatus> _statuses = [];
    private readonly string _root;

    private CommandRecorder(string root) => _root = root;

    /// <summary>Connects to the broker on <paramref name="port"/> and taps the box at <paramref name="root"/>.</summary>
    public static async Task<CommandRecorder> StartAsync(int port, string root)
    {
        var recorder = new CommandRecorder(root);
        recorder._client.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload.ToArray();
            if (e.ApplicationMessage.Topic == root + "/model/status")
            {
                recorder._statuses.Add(JsonSerializer.Deserialize(payload, ModelTransferJsonContext.Default.ModelStatus)!);
            }
            else
            {
                recorder._recorded.Enqueue(new RecordedCommand(e.ApplicationMessage.Topic, payload));
            }

            return Task.CompletedTask;
        };
        await recorder._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).Build());
        await recorder._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(root + "/cmd/model/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(root + "/model/status", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return recorder;
    }

    /// <summary>
    /// The commands recorded since the last call (one push, one rollback), in the order they crossed the broker, once one
    /// with leaf <paramref name="through"/> (<c>end</c>, <c>rollback</c>) is among them: the tap hears them a moment after the box.
    /// </summary>
    public async Task<IReadOnlyList<RecordedCommand>> TakeAsync(string through)
    {
        for (var deadline = DateTime.UtcNow + Answer; !_recorded.Any(c => c.Command == through); await Task.Delay(20))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no {through} recorded within {Answer}");
            }
        }

        var taken = new List<RecordedCommand>();
        while (_recorded.TryDequeue(out var command))
        {
            taken.Add(command);
        }

        return taken;
    }

    /// <summary>
    /// Publishes <paramref name="commands"/> again, unchanged and in order, and returns the box's final answer to the
    /// last of them (a push's end, a rollback), or its one answer when that is a begin.
    /// </summary>
    public async Task<ModelStatus> ReplayAsync(IReadOnlyList<RecordedCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        while (_statuses.TryTake(out _))
        {
            // Answers to the technician's own commands: not what this replay waits for.
        }

        foreach (var command in commands)
        {
            await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(command.Topic).WithPayload(command.Payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        var last = commands[^1].Command;
        for (var deadline = DateTime.UtcNow + Answer; ;)
        {
            if (!_statuses.TryTake(out var status, deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
            {
                throw new TimeoutException($"no final answer to the replayed {last} within {Answer}");
            }

            if (status.Command == last && (status.IsFinal || last == "begin"))
            {
                return status;
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _client.DisconnectAsync();
        _client.Dispose();
        _statuses.Dispose();
    }
}
