using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CsCheck;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Testing;
using EdgeAgent.Testing.Fuzzing;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Tests.Models;

/// <summary>
/// Fuzz target <c>mqtt</c>, over a real mosquitto: commands on any topic under the box's command root (begin, end,
/// rollback, promote, chunk/&lt;id&gt;/&lt;index&gt; and made-up ones) with any payload, into the box's
/// <see cref="ModelCommandListener"/>. Each command is answered with its status, a refusal with a documented reason
/// or the handler's answer, never INTERNAL (a command that threw); after one that gets no answer, the box still
/// answers the next.
/// </summary>
[Trait("Category", "Fuzz")]
[Trait("FuzzTarget", "mqtt")]
public sealed class ModelCommandListenerFuzzTests : IAsyncLifetime
{
    private static readonly string[] Answered = ["begin", "end", "rollback", "promote"];

    private static readonly string[] Leaves = [.. Answered, "chunk/fuzz-transfer-1/0", "chunk/x/1/2", "chunk", "", "begin/", "/end", "ROLLBACK", "chunk/../0"];

    private readonly TempFolder _temp = new("edgeagent-fuzz-listener-");
    private readonly AnsweringHandler _handler = new();
    private MosquittoBroker _broker = null!;
    private ModelCommandBox _box = null!;
    private IMqttClient? _client;
    private readonly BlockingCollection<ModelStatus> _statuses = [];

    public async Task InitializeAsync()
    {
        _broker = new MosquittoBroker(_temp.Sub("broker"));
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, new ModelTransferLimits { ReserveBytes = 0 });
        await ConnectAsync();
    }

    // The broker drops a client that publishes to a topic it refuses (a control character, say): the fuzzer's
    // client, not the box. A new one connects before the next command.
    private async Task ConnectAsync()
    {
        _client?.Dispose();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _statuses.Add(JsonSerializer.Deserialize(e.ApplicationMessage.Payload.ToArray(), ModelTransferJsonContext.Default.ModelStatus)!);
            return Task.CompletedTask;
        };
        await _client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).Build());
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_box.Root + "/model/status", MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        await _box.DisposeAsync();
        _broker.Dispose();
        _statuses.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Listener_AnyCommandTopicAndPayload_AnsweredWithADocumentedStatus()
    {
        var leaf = Gen.Frequency((6, Gen.Int[0, Leaves.Length - 1].Select(i => Leaves[i])), (1, FuzzStrings.Any(3).Select(TopicLeaf)));
        await Fuzz.RunAsync(ModelCommandFuzzTests.Target, "listener", Gen.Select(leaf, ModelCommandFuzzTests.CommandPayloads), async t =>
        {
            var (command, payload) = t;
            await PublishAsync(command, payload);
            // A command without an answer (a chunk, an unknown topic) is followed by one that has one: the box still answers.
            if (!Answered.Contains(command))
            {
                (command, payload) = ("end", "{}"u8.ToArray());
                await PublishAsync(command, payload);
            }

            AssertDocumented(await NextStatusOfAsync(command));
        }, t => $"cmd/model/{t.Item1} '{Encoding.UTF8.GetString(t.Item2)}'");
    }

    private async Task PublishAsync(string leaf, byte[] payload)
    {
        if (_client is not { IsConnected: true })
        {
            await ConnectAsync();
        }

        try
        {
            await _client!.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{_box.Root}/cmd/model/{leaf}").WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException)
        {
            // Dropped by the broker for this topic (see ConnectAsync); the follow-up command goes out on a new client.
            await ConnectAsync();
        }
    }

    // Statuses of other commands (a chunk's progress) may come first; each is checked on the way.
    // What a client can publish to: UTF-8, no wildcards, no NUL.
    private static string TopicLeaf(string text) =>
        Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)).Replace("#", "", StringComparison.Ordinal).Replace("+", "", StringComparison.Ordinal).Replace("\0", "", StringComparison.Ordinal);

    private Task<ModelStatus> NextStatusOfAsync(string command) => Task.Run(() =>
    {
        while (_statuses.TryTake(out var status, TimeSpan.FromSeconds(30)))
        {
            if (status.Command == command)
            {
                return status;
            }

            AssertDocumented(status);
        }

        throw new TimeoutException($"no status for {command} from the box");
    });

    private static void AssertDocumented(ModelStatus status)
    {
        Assert.NotEqual("INTERNAL", status.Reason);
        ModelCommandFuzzTests.AssertAnswer(status, ModelStates.Receiving, ModelStates.Verifying, ModelStates.Activated, ModelStates.RolledBack, ModelStates.Failed);
    }

    /// <summary>Answers every command as a healthy box would, so what is fuzzed is the listener and the receiver.</summary>
    private sealed class AnsweringHandler : IModelCommandHandler
    {
        public Task<ModelCommandResult> InstallAsync(CompletedTransfer transfer, CancellationToken cancellationToken) =>
            Task.FromResult(new ModelCommandResult(ModelStates.Activated, null, "installed", new StatusModel("stpm-a", "1.0.0")));

        public Task<ModelCommandResult> RollbackAsync(string name, string claimedBy, CommandSignature? signature, CancellationToken cancellationToken) =>
            Task.FromResult(new ModelCommandResult(ModelStates.RolledBack, null, "rolled back", new StatusModel("stpm-a", "0.9.0")));

        public Task<ModelCommandResult> PromoteAsync(string product, string claimedBy, CommandSignature? signature, CancellationToken cancellationToken) =>
            Task.FromResult(new ModelCommandResult(ModelStates.Activated, null, "promoted", new StatusModel("stpm-a", "2.0.0")));

        public void TransferRejected(ModelStatus status)
        {
        }

        public void RefusalsSuppressed(int count, DateTimeOffset since)
        {
        }
    }
}
