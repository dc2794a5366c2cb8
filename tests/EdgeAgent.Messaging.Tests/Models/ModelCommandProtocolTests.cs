using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using static EdgeAgent.Messaging.Tests.Models.TransferFixtures;

namespace EdgeAgent.Messaging.Tests.Models;

/// <summary>
/// The model command protocol end to end over a real mosquitto whose packet limit (64 KiB) is far below the
/// packages: the technician's <see cref="ModelTransferSender"/> on one side, the box's <see cref="MqttConnection"/>
/// and <see cref="ModelCommandListener"/> on the other, a handler that records what reached it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ModelCommandProtocolTests : IAsyncLifetime
{
    private const int BrokerPacketLimit = 64 * 1024;
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);
    private readonly TempFolder _temp = new("edgeagent-push-");
    private readonly RecordingHandler _handler = new();
    private MosquittoBroker _broker = null!;
    private ModelCommandBox? _box;

    public Task InitializeAsync()
    {
        _broker = new MosquittoBroker(_temp.Sub("broker"), $"max_packet_size {BrokerPacketLimit}");
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Push_PackageFiftyTimesTheBrokerPacketLimit_ArrivesBitIdenticalAndIsHandledOnce()
    {
        var (path, bytes) = Package(_temp.Path, 3 * 1024 * 1024);
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        await using var sender = await Sender();

        var outcome = await sender.PushAsync(path, 256 * 1024, "tests", Answer, null, CancellationToken.None);

        Assert.Equal(ModelStates.Activated, outcome.Status.State);
        Assert.True(outcome.ChunkSize < BrokerPacketLimit, $"chunk {outcome.ChunkSize} was not fitted to the broker's limit");
        Assert.Equal(outcome.Status.Total, outcome.ChunksSent);
        var install = Assert.Single(_handler.Installs);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), install.Sha256);
        Assert.Equal(bytes.Length, install.Size);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Sub("incoming")));
    }

    [Fact]
    public async Task Push_InterruptedHalfWayAndTheBoxRestarted_ResumesSendingOnlyTheMissingChunks()
    {
        var (path, bytes) = Package(_temp.Path, 1024 * 1024);
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        int total;
        await using (var first = await Sender())
        {
            var cut = await first.PushAsync(path, 32 * 1024, "tests", Answer, null, CancellationToken.None, stopAfterChunks: 12);
            Assert.Equal((ModelStates.Receiving, 12), (cut.Status.State, cut.ChunksSent));
            total = cut.Status.Total;
        }

        await WaitUntil(() => Directory.EnumerateFiles(Path.Combine(_temp.Sub("incoming")), "*", SearchOption.AllDirectories).Count(f => !f.EndsWith(".part", StringComparison.Ordinal)) >= 13);
        await _box.DisposeAsync();
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        await using var second = await Sender();

        var resumed = await second.PushAsync(path, 32 * 1024, "tests", Answer, null, CancellationToken.None);

        Assert.Equal(ModelStates.Activated, resumed.Status.State);
        Assert.Equal(total - 12, resumed.ChunksSent);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), Assert.Single(_handler.Installs).Sha256);
    }

    [Fact]
    public async Task Begin_MalformedJson_RejectedOnTheStatusTopicAndTheNextPushStillWorks()
    {
        var (path, _) = Package(_temp.Path, 100_000);
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        await using var raw = await RawClient.ConnectAsync(_broker.Port, _box.Root);

        await raw.PublishAsync("cmd/model/begin", Utf8("{ this is not json"));
        var status = await raw.NextStatusAsync();
        await using var sender = await Sender();
        var outcome = await sender.PushAsync(path, 16 * 1024, "tests", Answer, null, CancellationToken.None);

        Assert.Equal((ModelStates.Rejected, TransferReasons.Malformed), (status.State, status.Reason));
        Assert.Equal(ModelStates.Activated, outcome.Status.State);
        Assert.Contains(_handler.TransferRejections, r => r.Reason == TransferReasons.Malformed);
    }

    [Theory]
    [InlineData("promote", "{ not json")]
    [InlineData("promote", "{\"requestId\": \"r1\"}")]
    [InlineData("rollback", "{\"requestId\": \"r2\", \"name\": \"  \"}")]
    public async Task RequestWithoutItsSubject_RejectedAsMalformedAndNeverReachesTheHandler(string command, string json)
    {
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        await using var raw = await RawClient.ConnectAsync(_broker.Port, _box.Root);

        await raw.PublishAsync("cmd/model/" + command, Utf8(json));
        var status = await raw.NextStatusAsync();

        Assert.Equal((ModelStates.Rejected, TransferReasons.Malformed, command), (status.State, status.Reason, status.Command));
        Assert.Empty(_handler.Promotions);
        Assert.Empty(_handler.Rollbacks);
    }

    [Fact]
    public async Task Push_PackageOverTheBoxLimit_RejectedAsOversizedBeforeAnyChunk()
    {
        var (path, _) = Package(_temp.Path, 200_000);
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, new ModelTransferLimits { MaxPackageBytes = 100_000, MaxChunkBytes = 64 * 1024 });
        await using var sender = await Sender();

        var outcome = await sender.PushAsync(path, 16 * 1024, "tests", Answer, null, CancellationToken.None);

        Assert.Equal((ModelStates.Rejected, TransferReasons.Oversized, 0), (outcome.Status.State, outcome.Status.Reason, outcome.ChunksSent));
        Assert.Empty(_handler.Installs);
    }

    [Fact]
    public async Task End_ForATransferNeverBegun_RejectedAsUnknown()
    {
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        await using var raw = await RawClient.ConnectAsync(_broker.Port, _box.Root);

        await raw.PublishAsync("cmd/model/end", End("feedbeef"));
        var status = await raw.NextStatusAsync();

        Assert.Equal((ModelStates.Rejected, TransferReasons.UnknownTransfer, "feedbeef"), (status.State, status.Reason, status.TransferId));
    }

    [Theory]
    [InlineData("rollback")]
    [InlineData("begin")]
    public async Task Command_LargerThanMaxCommandBytes_RefusedOversizedUnreadAndNeverReachesTheHandler(string command)
    {
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        await using var raw = await RawClient.ConnectAsync(_broker.Port, _box.Root);
        var sender = new string('x', 40 * 1024);

        await raw.PublishAsync("cmd/model/" + command, Utf8($"{{\"requestId\": \"r1\", \"name\": \"stpm-a\", \"sender\": \"{sender}\"}}"));
        var status = await raw.NextStatusAsync();

        Assert.Equal((ModelStates.Rejected, TransferReasons.Oversized, command), (status.State, status.Reason, status.Command));
        Assert.Null(status.RequestId);
        Assert.Empty(_handler.Rollbacks);
        Assert.True(Assert.Single(_handler.TransferRejections).Detail!.Length < 200);
    }

    [Fact]
    public async Task Box_MaxPacketBytes_TheBrokerNeverDeliversItALargerCommand()
    {
        // A broker without a packet limit of its own: only the box's CONNECT Maximum Packet Size protects it.
        using var open = new MosquittoBroker(_temp.Sub("open-broker"));
        _box = await ModelCommandBox.StartAsync(open.Port, _temp.Sub("incoming"), _handler, Limits, maxPacketBytes: 128 * 1024);
        await using var raw = await RawClient.ConnectAsync(open.Port, _box.Root);
        var huge = new string('x', 2 * 1024 * 1024);

        await raw.PublishAsync("cmd/model/rollback", Utf8($"{{\"requestId\": \"big\", \"name\": \"stpm-a\", \"sender\": \"{huge}\"}}"));
        await raw.PublishAsync("cmd/model/rollback", Utf8("{\"requestId\": \"small\", \"name\": \"stpm-b\", \"sender\": \"technician\"}"));
        // Same publisher, same topic, QoS 1: the broker keeps their order, so once the small one is answered the big one was withheld.
        var status = await raw.NextStatusAsync();

        Assert.Equal("small", status.RequestId);
        Assert.Equal([("stpm-b", "technician")], _handler.Rollbacks.Select(r => (r.Name, r.By)));
        Assert.Empty(_handler.TransferRejections);
    }

    [Fact]
    public async Task RefusedCommands_AFloodOfThem_OnlyMaxRefusalsAuditedPerMinuteReachTheAuditTrail()
    {
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, new ModelTransferLimits { MaxChunkBytes = 64 * 1024, MaxRefusalsAuditedPerMinute = 5 });
        await using var raw = await RawClient.ConnectAsync(_broker.Port, _box.Root);

        for (var i = 0; i < 40; i++)
        {
            await raw.PublishAsync("cmd/model/begin", Utf8("x"));
        }

        // Every refusal is still answered; only the audit trail (and the log) is rate-limited.
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(TransferReasons.Malformed, (await raw.NextStatusAsync()).Reason);
        }

        Assert.Equal(5, _handler.TransferRejections.Count);
        Assert.Empty(_handler.Suppressed);
    }

    [Fact]
    public async Task Rollback_Command_ReachesTheHandlerWithItsSignatureAndItsResultIsPublished()
    {
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        await using var sender = await Sender();
        using var key = new EcdsaSigner();

        var status = await sender.RollbackAsync("stpm-a", "technician", key, Answer, CancellationToken.None);

        Assert.Equal(ModelStates.RolledBack, status.State);
        Assert.Equal(new StatusModel("stpm-a", "0.9.0"), status.Model);
        var (name, by, signature) = Assert.Single(_handler.Rollbacks);
        Assert.Equal(("stpm-a", "technician", "k1"), (name, by, signature?.KeyId));
        // What the box checks: the sender signed the canonical text for this box, action and model.
        var canonical = SignedCommand.Canonical(_box.Root, SignedCommand.Rollback, "stpm-a", null, signature!.IssuedAt, signature.Nonce);
        Assert.True(key.Verifies(canonical, Convert.FromBase64String(signature.Value)));
    }

    [Fact]
    public async Task Rollback_TheHandlerRefuses_AnsweredAndAuditedUnderTheRefusalLimit()
    {
        _handler.RefuseRollbacks = true;
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        await using var sender = await Sender();

        var status = await sender.RollbackAsync(new RollbackRequest("r1", "stpm-a", "mallory"), Answer, CancellationToken.None);

        Assert.Equal((ModelStates.Rejected, "UNSIGNED", "r1"), (status.State, status.Reason, status.RequestId));
        Assert.Equal("UNSIGNED", Assert.Single(_handler.TransferRejections).Reason);
    }

    [Fact]
    public async Task Promote_Command_ReachesTheHandlerAndItsResultIsPublished()
    {
        _box = await ModelCommandBox.StartAsync(_broker.Port, _temp.Sub("incoming"), _handler, Limits);
        await using var sender = await Sender();

        using var key = new EcdsaSigner();

        var status = await sender.PromoteAsync("UBM", "supervisor", key, Answer, CancellationToken.None);

        Assert.Equal((ModelStates.Activated, "promote"), (status.State, status.Command));
        var (product, by, signature) = Assert.Single(_handler.Promotions);
        Assert.Equal(("UBM", "supervisor", key.KeyId), (product, by, signature?.KeyId));
    }

    public async Task DisposeAsync()
    {
        if (_box is not null)
        {
            await _box.DisposeAsync();
        }

        _broker.Dispose();
        _temp.Dispose();
    }

    private static ModelTransferLimits Limits => new() { MaxChunkBytes = 64 * 1024 };

    private Task<ModelTransferSender> Sender() => _box!.SenderAsync(_broker.Port);

    private static Task WaitUntil(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(10));

    /// <summary>A handler that keeps what reached it and answers as a healthy box would.</summary>
    private sealed class RecordingHandler : IModelCommandHandler
    {
        public ConcurrentQueue<(string Sha256, long Size)> Installs { get; } = new();

        public ConcurrentQueue<(string Name, string By, CommandSignature? Signature)> Rollbacks { get; } = new();

        public bool RefuseRollbacks { get; set; }

        public ConcurrentQueue<ModelStatus> TransferRejections { get; } = new();

        public ConcurrentQueue<(string Product, string By, CommandSignature? Signature)> Promotions { get; } = new();

        public Task<ModelCommandResult> InstallAsync(CompletedTransfer transfer, CancellationToken cancellationToken)
        {
            using (var stream = File.OpenRead(transfer.PackagePath))
            {
                Installs.Enqueue((Convert.ToHexStringLower(SHA256.HashData(stream)), stream.Length));
            }

            return Task.FromResult(new ModelCommandResult(ModelStates.Activated, null, "recorded", new StatusModel("stpm-a", "1.0.0")));
        }

        public Task<ModelCommandResult> RollbackAsync(string name, string claimedBy, CommandSignature? signature, CancellationToken cancellationToken)
        {
            Rollbacks.Enqueue((name, claimedBy, signature));
            return Task.FromResult(RefuseRollbacks
                ? new ModelCommandResult(ModelStates.Rejected, "UNSIGNED", "recorded", null, RefusedBeforeActing: true)
                : new ModelCommandResult(ModelStates.RolledBack, null, "recorded", new StatusModel(name, "0.9.0")));
        }

        public Task<ModelCommandResult> PromoteAsync(string product, string claimedBy, CommandSignature? signature, CancellationToken cancellationToken)
        {
            Promotions.Enqueue((product, claimedBy, signature));
            return Task.FromResult(new ModelCommandResult(ModelStates.Activated, null, "recorded", new StatusModel("stpm-a", "2.0.0")));
        }

        public ConcurrentQueue<int> Suppressed { get; } = new();

        public void TransferRejected(ModelStatus status) => TransferRejections.Enqueue(status);

        public void RefusalsSuppressed(int count, DateTimeOffset since) => Suppressed.Enqueue(count);
    }

    /// <summary>A technician's key as the protocol sees it (the key files live in EdgeAgent.Models).</summary>
    private sealed class EcdsaSigner : ICommandSigner, IDisposable
    {
        private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public string KeyId => "k1";

        public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        public bool Verifies(byte[] data, byte[] signature) => _key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        public void Dispose() => _key.Dispose();
    }

    /// <summary>Any MQTT client speaking the documented protocol by hand: publishes raw commands, reads statuses.</summary>
    private sealed class RawClient : IAsyncDisposable
    {
        private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
        private readonly BlockingCollection<ModelStatus> _statuses = [];
        private readonly string _root;

        private RawClient(string root) => _root = root;

        public static async Task<RawClient> ConnectAsync(int port, string root)
        {
            var raw = new RawClient(root);
            raw._client.ApplicationMessageReceivedAsync += e =>
            {
                raw._statuses.Add(System.Text.Json.JsonSerializer.Deserialize(e.ApplicationMessage.Payload.ToArray(), ModelTransferJsonContext.Default.ModelStatus)!);
                return Task.CompletedTask;
            };
            await raw._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).Build());
            await raw._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(root + "/model/status", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            return raw;
        }

        public Task PublishAsync(string leaf, byte[] payload) => _client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic($"{_root}/{leaf}").WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        public Task<ModelStatus> NextStatusAsync() => Task.Run(() =>
            _statuses.TryTake(out var status, Answer) ? status : throw new TimeoutException("no status from the box"));

        public async ValueTask DisposeAsync()
        {
            await _client.DisconnectAsync();
            _client.Dispose();
            _statuses.Dispose();
        }
    }
}
