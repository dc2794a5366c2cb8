using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace EdgeAgent.Messaging.Models;

/// <summary>
/// Binds the model command topics to the <see cref="ModelTransferReceiver"/> and the <see cref="IModelCommandHandler"/>.
/// Begin and chunk messages are handled on the MQTT receive loop (a chunk is one file write, and its PUBACK
/// goes out only once it is on disk); end and rollback go to one command loop, in arrival order, so a canary
/// of half a minute never stalls the client's keep-alive and two activations never overlap. Statuses are
/// published from their own loop because a QoS 1 publish awaited inside the receive loop would wait for its
/// own PUBACK. Statuses are not retained and not queued across a broker outage: the sender asks again.
/// </summary>
public sealed class ModelCommandListener(
    MqttConnection connection,
    ModelTransferReceiver receiver,
    IModelCommandHandler handler,
    TimeProvider time,
    ILogger<ModelCommandListener> logger) : BackgroundService
{
    /// <summary>End, rollback and promote commands waiting for the one in progress; more are refused BUSY.</summary>
    public const int MaxQueuedCommands = 32;

    // Anyone who can publish to the broker can send refusals, and each audit row takes the journal's write lock.
    private readonly RefusalThrottle _refusals = new(receiver.Limits.MaxRefusalsAuditedPerMinute, time);
    private readonly Channel<ModelStatus> _statuses = Channel.CreateUnbounded<ModelStatus>(new UnboundedChannelOptions { SingleReader = true });
    // Bounded: a flood of small rollbacks must not queue without end behind a canary; the overflow is refused BUSY.
    private readonly Channel<(string Command, byte[] Payload)> _commands = Channel.CreateBounded<(string, byte[])>(
        new BoundedChannelOptions(MaxQueuedCommands) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var prefix = connection.Topics.ModelCommands + "/";
        await connection.SubscribeAsync(prefix + "#", message => OnMessage(prefix, message), stoppingToken).ConfigureAwait(false);
        await Task.WhenAll(RunCommandsAsync(stoppingToken), PublishStatusesAsync(stoppingToken)).ConfigureAwait(false);
    }

    private Task OnMessage(string prefix, MqttApplicationMessage message)
    {
        var command = message.Topic[prefix.Length..];
        var payload = message.Payload;
        switch (command.Split('/'))
        {
            // Checked before the payload is copied or parsed: real commands are a few hundred bytes. (Chunks are
            // checked against their announced length by the receiver, also without a copy.)
            case ["begin"] or ["end"] or ["rollback"] or ["promote"] when payload.Length > receiver.Limits.MaxCommandBytes:
                Refuse(new ModelStatus(ModelStates.Rejected, time.GetUtcNow())
                {
                    Command = command,
                    Reason = TransferReasons.Oversized,
                    Detail = $"{command} of {payload.Length} bytes refused unread (Models:Transfer:MaxCommandBytes {receiver.Limits.MaxCommandBytes})",
                });
                break;
            case ["begin"]:
                ReportTransfer(receiver.Begin(Bytes(payload)));
                break;
            case ["chunk", var transferId, var index]:
                if (receiver.Chunk(transferId, index, payload) is { } progress)
                {
                    Report(progress);
                }

                break;
            case ["end"] or ["rollback"] or ["promote"]:
                if (!_commands.Writer.TryWrite((command, payload.ToArray())))
                {
                    Refuse(new ModelStatus(ModelStates.Rejected, time.GetUtcNow())
                    {
                        Command = command,
                        Reason = TransferReasons.Busy,
                        Detail = $"{MaxQueuedCommands} commands already wait for the one in progress; send it again later",
                    });
                }

                break;
            default:
                if (Admitted())
                {
                    Log.CommandIgnored(logger, ForeignText.Clip(message.Topic), "unknown command (begin, chunk/{transferId}/{index}, end, rollback, promote)");
                }

                break;
        }

        return Task.CompletedTask;
    }

    private async Task RunCommandsAsync(CancellationToken stoppingToken)
    {
        await foreach (var (command, payload) in _commands.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await (command switch
                {
                    "end" => EndAsync(payload, stoppingToken),
                    "promote" => PromoteAsync(payload, stoppingToken),
                    _ => RollbackAsync(payload, stoppingToken),
                }).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Loop boundary: one broken command must not stop the box from taking the next push.
                Log.CommandFailed(logger, e, command);
                Report(new ModelStatus(ModelStates.Failed, time.GetUtcNow()) { Command = command, Reason = "INTERNAL", Detail = e.Message });
            }
        }
    }

    private async Task EndAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var (status, completed) = receiver.End(payload);
        ReportTransfer(status);
        if (completed is null)
        {
            return;
        }

        ModelCommandResult result;
        try
        {
            result = await handler.InstallAsync(completed, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever the outcome, the package is done with; gone before the final status goes out.
            receiver.Finish(completed.Begin.TransferId);
        }

        Report(new ModelStatus(result.State, time.GetUtcNow())
        {
            TransferId = completed.Begin.TransferId,
            Command = "end",
            Received = status.Received,
            Total = status.Total,
            Reason = result.Reason,
            Detail = result.Detail,
            Model = result.Model,
        });
    }

    private Task RollbackAsync(byte[] payload, CancellationToken cancellationToken) => RequestAsync(
        "rollback", "name", payload, ModelTransferJsonContext.Default.RollbackRequest, r => (r.RequestId, r.Name, r.Sender),
        (request, name, by) => handler.RollbackAsync(name, by, request.Signature, cancellationToken));

    private Task PromoteAsync(byte[] payload, CancellationToken cancellationToken) => RequestAsync(
        "promote", "product", payload, ModelTransferJsonContext.Default.PromoteRequest, r => (r.RequestId, r.Product, r.Sender),
        (request, product, by) => handler.PromoteAsync(product, by, request.Signature, cancellationToken));

    // A request naming one thing (a model, a product): malformed → rejected MALFORMED, else the handler's answer. A
    // refusal before acting (unsigned, untrusted, stale, replayed) is anyone's to send: audited under the rate limit;
    // the handler audits the rest itself (an activation's refusal, with the canary's numbers).
    private async Task RequestAsync<T>(string command, string subject, byte[] payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type,
        Func<T, (string? RequestId, string? Subject, string? Sender)> fields, Func<T, string, string, Task<ModelCommandResult>> handle)
        where T : class
    {
        T? request;
        try
        {
            request = JsonSerializer.Deserialize(payload, type);
        }
        catch (JsonException)
        {
            request = null;
        }

        var (requestId, named, sender) = request is null ? (null, null, null) : fields(request);
        requestId = ForeignText.Clip(requestId);
        if (request is null || string.IsNullOrWhiteSpace(named))
        {
            Refuse(new ModelStatus(ModelStates.Rejected, time.GetUtcNow())
            {
                RequestId = requestId,
                Command = command,
                Reason = TransferReasons.Malformed,
                Detail = $"{command} needs requestId and {subject}",
            });
            return;
        }

        var result = await handle(request, named, ForeignText.Clip(sender ?? "?")).ConfigureAwait(false);
        var status = new ModelStatus(result.State, time.GetUtcNow())
        {
            RequestId = requestId,
            Command = command,
            Reason = result.Reason,
            Detail = result.Detail,
            Model = result.Model,
        };
        if (result.RefusedBeforeActing)
        {
            Refuse(status);
        }
        else
        {
            Report(status);
        }
    }

    private void Report(ModelStatus status) => _statuses.Writer.TryWrite(status);

    /// <summary>Publishes the receiver's answer; a transfer it refused is logged and audited too (see <see cref="Refuse"/>).</summary>
    private void ReportTransfer(ModelStatus status)
    {
        if (status.State == ModelStates.Rejected)
        {
            Refuse(status);
        }
        else
        {
            Report(status);
        }
    }

    /// <summary>
    /// Answers a refused command, and logs and audits it within <see cref="ModelTransferLimits.MaxRefusalsAuditedPerMinute"/>.
    /// </summary>
    private void Refuse(ModelStatus status)
    {
        if (Admitted())
        {
            Log.TransferRejected(logger, status.Command ?? "?", status.TransferId ?? status.RequestId ?? "?", status.Reason ?? "?", ForeignText.Clip(status.Detail ?? "", 400));
            handler.TransferRejected(status);
        }

        Report(status);
    }

    // Whether this refusal may be logged and audited; the first one admitted after a quiet spell first says how many
    // were let through unsaid.
    private bool Admitted()
    {
        if (!_refusals.Admit(out var suppressed, out var since))
        {
            return false;
        }

        if (suppressed > 0)
        {
            Log.RefusalsSuppressed(logger, suppressed, since);
            handler.RefusalsSuppressed(suppressed, since);
        }

        return true;
    }

    private async Task PublishStatusesAsync(CancellationToken stoppingToken)
    {
        await foreach (var status in _statuses.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(status, ModelTransferJsonContext.Default.ModelStatus);
            if (!await connection.PublishAsync(connection.Topics.ModelStatus, payload, retain: false, stoppingToken).ConfigureAwait(false))
            {
                Log.StatusNotDelivered(logger, status.TransferId ?? status.RequestId ?? "?", status.State);
            }
        }
    }

    private static ReadOnlySpan<byte> Bytes(ReadOnlySequence<byte> payload) => payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
}
