using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using EdgeAgent.Messaging.Connection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Models;

/// <summary>What a push ended with: the box's last status and how many chunks this run sent.</summary>
public sealed record PushOutcome(ModelStatus Status, int ChunksSent, int ChunkSize);

/// <summary>
/// The technician's side of the model protocol (<c>edgeagent models push|rollback</c>): its own MQTT 5 client,
/// subscribed to the box's status topic. A push announces the package, sends exactly the chunks the box says it
/// misses, ends, sends what is still missing (as long as each round makes progress) and waits for the verdict
/// on the package. Running the same push again after an interruption resumes it: the transfer id is derived
/// from the package's SHA-256.
/// </summary>
public sealed class ModelTransferSender : IAsyncDisposable
{
    // Room for the fixed header, the topic and MQTT 5 properties next to a chunk's bytes.
    private const int PacketOverhead = 1024;
    private const int RoundsWithoutProgress = 3;
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private readonly IMqttClient _client;
    private readonly string _root;
    private readonly long _brokerPacketLimit;
    private readonly Channel<ModelStatus> _statuses = Channel.CreateUnbounded<ModelStatus>();

    private ModelTransferSender(IMqttClient client, string root, long brokerPacketLimit)
    {
        _client = client;
        _root = root;
        _brokerPacketLimit = brokerPacketLimit;
    }

    /// <summary>
    /// Connects to the broker of <paramref name="broker"/> (credentials and TLS as the box's own) and subscribes
    /// to the status topic of the box at <paramref name="topicRoot"/>.
    /// </summary>
    public static async Task<ModelTransferSender> ConnectAsync(MqttOptions broker, string topicRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var options = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId($"edgeagent-push-{Guid.NewGuid():N}")
                .WithProtocolVersion(MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(10)).WithSecurity(broker).Build();
            var result = await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException($"Broker {broker.Host}:{broker.Port} refused the connection: {result.ResultCode}");
            }

            var sender = new ModelTransferSender(client, topicRoot, result.MaximumPacketSize is > 0 and var max ? max : long.MaxValue);
            client.ApplicationMessageReceivedAsync += e =>
            {
                sender.OnStatus(e.ApplicationMessage.Payload);
                return Task.CompletedTask;
            };
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(topicRoot + "/model/status", MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
            return sender;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Pushes the package at <paramref name="packagePath"/> and waits up to <paramref name="resultTimeout"/> for
    /// the box's final answer after the last chunk. The chunk size is lowered to fit the broker's packet limit.
    /// <paramref name="stopAfterChunks"/> abandons the push after that many chunks, as a cut link would.
    /// <paramref name="chunkProgress"/> hears the count of chunks sent after each one (the CLI's progress line).
    /// With <paramref name="signer"/>, the begin is signed for action <c>push</c> (it may then displace unsigned
    /// transfers), and with <paramref name="downgrade"/> too, every end carries a fresh intent signed for action
    /// <c>downgrade</c> on that model name and version (the package's), which the box needs to install a version at or
    /// below the highest it has activated.
    /// </summary>
    public async Task<PushOutcome> PushAsync(string packagePath, int chunkSize, string senderName, TimeSpan resultTimeout,
        IProgress<string>? progress, CancellationToken cancellationToken, int? stopAfterChunks = null, IProgress<int>? chunkProgress = null,
        ICommandSigner? signer = null, StatusModel? downgrade = null)
    {
        if (downgrade is not null && signer is null)
        {
            throw new ArgumentException("A downgrade intent must be signed: pass the technician's signer.", nameof(signer));
        }

        var (size, sha256) = Measure(packagePath);
        chunkSize = FitChunk(chunkSize);
        var transferId = sha256[..16];
        var begin = new TransferBegin(transferId, size, sha256, chunkSize, Path.GetFileName(packagePath), senderName,
            signer is null ? null : SignedCommand.Sign(signer, _root, SignedCommand.Push, sha256, null, TimeProvider.System));
        await PublishAsync("begin", JsonSerializer.SerializeToUtf8Bytes(begin, ModelTransferJsonContext.Default.TransferBegin), cancellationToken).ConfigureAwait(false);
        var status = await AnswerAsync(s => s.TransferId == transferId && s.Command == "begin", AnswerTimeout, cancellationToken).ConfigureAwait(false);
        progress?.Report($"transfer {transferId}: {size} bytes in {begin.ChunkCount} chunks of {chunkSize}; box holds {status.Received}");

        var sent = 0;
        var stalled = 0;
        await using var package = File.OpenRead(packagePath);
        var buffer = new byte[chunkSize];
        while (status.State == ModelStates.Receiving)
        {
            foreach (var index in status.Missing)
            {
                if (sent == stopAfterChunks)
                {
                    return new PushOutcome(status, sent, chunkSize);
                }

                package.Position = (long)index * chunkSize;
                var length = (int)begin.LengthOf(index);
                await package.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                await PublishAsync($"chunk/{transferId}/{index}", buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                sent++;
                chunkProgress?.Report(sent);
            }

            progress?.Report($"sent {sent} chunk(s); asking the box what is missing");
            var before = status.Received;
            // Signed afresh for every end: a slow push must not outlive its intent's clock window.
            var intent = downgrade is null ? null : SignedCommand.Sign(signer!, _root, SignedCommand.Downgrade, downgrade.Name, downgrade.Version, TimeProvider.System);
            await PublishAsync("end", JsonSerializer.SerializeToUtf8Bytes(new TransferEnd(transferId, intent), ModelTransferJsonContext.Default.TransferEnd), cancellationToken).ConfigureAwait(false);
            status = await AnswerAsync(s => s.TransferId == transferId && s.Command == "end", AnswerTimeout, cancellationToken).ConfigureAwait(false);
            stalled = status.Received > before ? 0 : stalled + 1;
            if (status.State == ModelStates.Receiving && stalled >= RoundsWithoutProgress)
            {
                return new PushOutcome(status with { State = ModelStates.Failed, Reason = "NO_PROGRESS", Detail = $"the box still misses {status.Total - status.Received} chunk(s) after {stalled} rounds" }, sent, chunkSize);
            }
        }

        if (status.State == ModelStates.Verifying)
        {
            progress?.Report("package complete and checksum right; the box verifies, loads and runs the canary");
            status = await AnswerAsync(s => s.TransferId == transferId && s.Command == "end" && s.IsFinal, resultTimeout, cancellationToken).ConfigureAwait(false);
        }

        return new PushOutcome(status, sent, chunkSize);
    }

    /// <summary>
    /// Asks the box to put the previous version of <paramref name="modelName"/> back, signed by <paramref name="signer"/>
    /// (a key in the box's trust list), and waits for its answer.
    /// </summary>
    public Task<ModelStatus> RollbackAsync(string modelName, string senderName, ICommandSigner signer, TimeSpan timeout, CancellationToken cancellationToken) =>
        RollbackAsync(new RollbackRequest(Guid.NewGuid().ToString("N"), modelName, senderName,
            SignedCommand.Sign(signer, _root, SignedCommand.Rollback, modelName, null, TimeProvider.System)), timeout, cancellationToken);

    /// <summary>Sends <paramref name="request"/> as it is (signed or not, fresh or not) and waits for the box's answer to it.</summary>
    public async Task<ModelStatus> RollbackAsync(RollbackRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await PublishAsync("rollback", JsonSerializer.SerializeToUtf8Bytes(request, ModelTransferJsonContext.Default.RollbackRequest), cancellationToken).ConfigureAwait(false);
        return await AnswerAsync(s => s.RequestId == request.RequestId && s.IsFinal, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the box to promote <paramref name="product"/>'s shadow model, signed by <paramref name="signer"/>, and waits
    /// for its answer (the canary runs first).
    /// </summary>
    public Task<ModelStatus> PromoteAsync(string product, string senderName, ICommandSigner signer, TimeSpan timeout, CancellationToken cancellationToken) =>
        PromoteAsync(new PromoteRequest(Guid.NewGuid().ToString("N"), product, senderName,
            SignedCommand.Sign(signer, _root, SignedCommand.Promote, product, null, TimeProvider.System)), timeout, cancellationToken);

    /// <summary>Sends <paramref name="request"/> as it is (signed or not) and waits for the box's answer to it.</summary>
    public async Task<ModelStatus> PromoteAsync(PromoteRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await PublishAsync("promote", JsonSerializer.SerializeToUtf8Bytes(request, ModelTransferJsonContext.Default.PromoteRequest), cancellationToken).ConfigureAwait(false);
        return await AnswerAsync(s => s.RequestId == request.RequestId && s.IsFinal, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync().ConfigureAwait(false);
        }

        _client.Dispose();
    }

    private int FitChunk(int requested)
    {
        var fits = (int)Math.Min(requested, _brokerPacketLimit - PacketOverhead);
        var chunk = fits / ModelTransferLimits.MinChunkBytes * ModelTransferLimits.MinChunkBytes;
        return chunk >= ModelTransferLimits.MinChunkBytes
            ? chunk
            : throw new InvalidOperationException($"The broker's packet limit of {_brokerPacketLimit} bytes leaves no room for a {ModelTransferLimits.MinChunkBytes}-byte chunk.");
    }

    private async Task PublishAsync(string command, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        var message = new MqttApplicationMessageBuilder().WithTopic($"{_root}/cmd/model/{command}")
            .WithPayload(new ReadOnlySequence<byte>(payload)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var result = await _client.PublishAsync(message, timeout.Token).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"The broker did not accept {command}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    private async Task<ModelStatus> AnswerAsync(Func<ModelStatus, bool> answers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var status = await _statuses.Reader.ReadAsync(deadline.Token).ConfigureAwait(false);
                if (answers(status))
                {
                    return status;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer from the box on {_root}/model/status within {timeout.TotalSeconds:0} s: is it online and subscribed (retained {_root}/state)?");
        }
    }

    private void OnStatus(ReadOnlySequence<byte> payload)
    {
        try
        {
            if (JsonSerializer.Deserialize(payload.ToArray(), ModelTransferJsonContext.Default.ModelStatus) is { } status)
            {
                _statuses.Writer.TryWrite(status);
            }
        }
        catch (JsonException)
        {
            // Not a status this version understands; the push waits for one it does.
        }
    }

    private static (long Size, string Sha256) Measure(string path)
    {
        using var stream = File.OpenRead(path);
        return (stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }
}
