using System.Text.Json.Serialization;

namespace EdgeAgent.Messaging.Models;

/// <summary>
/// <c>{root}/cmd/model/begin</c>: announces a package. <see cref="TransferId"/> names the transfer; senders use
/// the first 16 hex digits of the package's SHA-256, so running the same push again resumes it. A begin signed for
/// action <c>push</c> over <see cref="Sha256"/> may displace an unsigned transfer when every slot is taken.
/// </summary>
public sealed record TransferBegin(string TransferId, long Size, string Sha256, int ChunkSize, string FileName, string? Sender, CommandSignature? Signature = null)
{
    /// <summary>Chunks the package is cut into; every one is <see cref="ChunkSize"/> bytes except the last.</summary>
    [JsonIgnore]
    public int ChunkCount => (int)((Size + ChunkSize - 1) / ChunkSize);

    /// <summary>The length chunk <paramref name="index"/> must have.</summary>
    public long LengthOf(int index) => index == ChunkCount - 1 ? Size - ((long)index * ChunkSize) : ChunkSize;
}

/// <summary>
/// <c>{root}/cmd/model/end</c>: every chunk was sent; assemble, check and install. <see cref="Downgrade"/>, signed for
/// action <c>downgrade</c> on the package's model name and version, lets the box install a version at or below the
/// highest one it has activated.
/// </summary>
public sealed record TransferEnd(string TransferId, CommandSignature? Downgrade = null);

/// <summary>
/// <c>{root}/cmd/model/promote</c>: make product <see cref="Product"/>'s shadow the model in service (canary first).
/// Only with a <see cref="Signature"/> for action <c>promote</c> on <see cref="Product"/> by a trusted key (a promotion
/// can lower the version in service); <see cref="Sender"/> is only what the sender claims.
/// </summary>
public sealed record PromoteRequest(string RequestId, string Product, string? Sender, CommandSignature? Signature = null);

/// <summary>
/// <c>{root}/cmd/model/rollback</c>: put the previous version of model <see cref="Name"/> back in service. Only with
/// a <see cref="Signature"/> for action <c>rollback</c> on <see cref="Name"/> by a trusted key; <see cref="Sender"/>
/// is only what the sender claims.
/// </summary>
public sealed record RollbackRequest(string RequestId, string Name, string? Sender, CommandSignature? Signature = null);

/// <summary>A model named in a status message.</summary>
public sealed record StatusModel(string Name, string Version);

/// <summary>
/// <c>{root}/model/status</c> (schema <c>edgeagent.model-status/1</c>): progress and outcome of a transfer or a
/// rollback. <see cref="State"/> is one of <c>receiving</c>, <c>verifying</c>, <c>activated</c>, <c>rejected</c>,
/// <c>rolled-back</c>, <c>failed</c>; the last four are final.
/// </summary>
public sealed record ModelStatus(string State, DateTimeOffset At)
{
    /// <summary>The schema tag every status carries.</summary>
    public const string SchemaName = "edgeagent.model-status/1";

    /// <summary>The payload's schema.</summary>
    public string Schema { get; init; } = SchemaName;

    /// <summary>The transfer this status is about (null for a rollback).</summary>
    public string? TransferId { get; init; }

    /// <summary>The rollback request this status answers (null for a transfer).</summary>
    public string? RequestId { get; init; }

    /// <summary>The command this status answers: <c>begin</c>, <c>chunk</c> (progress), <c>end</c> or <c>rollback</c>.</summary>
    public string? Command { get; init; }

    /// <summary>Chunks the box holds.</summary>
    public int Received { get; init; }

    /// <summary>Chunks the package has.</summary>
    public int Total { get; init; }

    /// <summary>Chunks still missing, at most <see cref="ModelTransferReceiver.MaxMissingListed"/> of them (lowest first).</summary>
    public IReadOnlyList<int> Missing { get; init; } = [];

    /// <summary>Reason code of a rejection or failure.</summary>
    public string? Reason { get; init; }

    /// <summary>Human-readable detail: the rejection's cause, the canary's numbers.</summary>
    public string? Detail { get; init; }

    /// <summary>The model the outcome concerns.</summary>
    public StatusModel? Model { get; init; }

    /// <summary>True for states after which nothing more is published for this transfer or request.</summary>
    [JsonIgnore]
    public bool IsFinal => State is ModelStates.Activated or ModelStates.Rejected or ModelStates.RolledBack or ModelStates.Failed;
}

/// <summary>The values of <see cref="ModelStatus.State"/>.</summary>
public static class ModelStates
{
    /// <summary>Chunks are arriving; <see cref="ModelStatus.Missing"/> lists what to send.</summary>
    public const string Receiving = "receiving";

    /// <summary>The package is complete and its checksum right; signature, contract and canary are being checked.</summary>
    public const string Verifying = "verifying";

    /// <summary>The new model judges its products.</summary>
    public const string Activated = "activated";

    /// <summary>Refused with <see cref="ModelStatus.Reason"/>; the model in service stays.</summary>
    public const string Rejected = "rejected";

    /// <summary>The previous version is back in service.</summary>
    public const string RolledBack = "rolled-back";

    /// <summary>The box could not complete the command (e.g. nothing to roll back to).</summary>
    public const string Failed = "failed";
}

/// <summary>Reason codes the transfer itself gives (the package's own checks add theirs).</summary>
public static class TransferReasons
{
    /// <summary>Unparseable JSON, a bad transfer id, impossible sizes.</summary>
    public const string Malformed = "MALFORMED";

    /// <summary>The package or a chunk is larger than the box accepts, or chunks are too small.</summary>
    public const string Oversized = "OVERSIZED";

    /// <summary>The assembled package's size or SHA-256 differs from the begin message.</summary>
    public const string Checksum = "CHECKSUM";

    /// <summary>Too many transfers are open at once.</summary>
    public const string Busy = "BUSY";

    /// <summary>An end for a transfer the box does not know (never begun, or already finished).</summary>
    public const string UnknownTransfer = "UNKNOWN_TRANSFER";

    /// <summary>The box could not write the transfer (disk full, permissions).</summary>
    public const string Storage = "STORAGE";

    /// <summary>Accepting the package or chunk would leave less free disk than <see cref="ModelTransferLimits.ReserveBytes"/>.</summary>
    public const string NoSpace = "NO_SPACE";

    /// <summary>A begin reuses the id of an open, progressing transfer with other size, checksum or chunk size; the open one is kept.</summary>
    public const string TransferConflict = "TRANSFER_CONFLICT";
}

/// <summary>Source-generated JSON for the model command protocol; missing required members make a message MALFORMED.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TransferBegin))]
[JsonSerializable(typeof(TransferEnd))]
[JsonSerializable(typeof(RollbackRequest))]
[JsonSerializable(typeof(PromoteRequest))]
[JsonSerializable(typeof(ModelStatus))]
public sealed partial class ModelTransferJsonContext : JsonSerializerContext;
