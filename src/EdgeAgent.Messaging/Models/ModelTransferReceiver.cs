using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeAgent.Security;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging.Models;

/// <summary>
/// The box's side of the chunked model transfer, as state on disk (no MQTT in here). Every transfer lives in
/// <c>&lt;folder&gt;/&lt;transferId&gt;/</c>: <c>transfer.json</c> (the begin message) and <c>chunks/&lt;index&gt;</c>,
/// each chunk written under a temporary name and renamed, so a chunk file that exists is whole. A restarted
/// agent finds its half-done transfers there and the sender's next begin resumes them. Chunks stay until the
/// handler has finished with the assembled package, so a crash during activation loses nothing either.
/// Thread-safe: chunks arrive on the MQTT receive loop while an end assembles on the command loop.
/// </summary>
public sealed partial class ModelTransferReceiver
{
    /// <summary>Most missing chunk indices one status lists; the sender asks again (end) for the rest.</summary>
    public const int MaxMissingListed = 512;

    private const string BeginFile = "transfer.json";
    private const string ChunksFolder = "chunks";
    private const string PackageFile = "package";

    private readonly string _folder;
    private readonly ModelTransferLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OpenTransfer> _open = new(StringComparer.Ordinal);
    private readonly Func<TransferBegin, bool> _signedPush;

    /// <summary>
    /// Opens <paramref name="folder"/>, deleting stale transfers and picking up the others where they stopped.
    /// <paramref name="signedPush"/> says whether a begin carries a trusted technician's signature for action <c>push</c>
    /// over its SHA-256 (<see cref="SignedCommand"/>); such a begin displaces unsigned transfers. None: no begin is.
    /// </summary>
    public ModelTransferReceiver(string folder, ModelTransferLimits limits, TimeProvider time, ILogger logger, Func<TransferBegin, bool>? signedPush = null)
    {
        _folder = folder;
        _limits = limits;
        _time = time;
        _logger = logger;
        _signedPush = signedPush ?? (_ => false);
        Directory.CreateDirectory(folder);
        foreach (var transferFolder in Directory.EnumerateDirectories(folder))
        {
            if (Reopen(transferFolder) is { } transfer)
            {
                _open[transfer.Begin.TransferId] = transfer;
                Log.Resumable(logger, transfer.Begin.TransferId, transfer.Received, transfer.Begin.ChunkCount);
            }
        }
    }

    /// <summary>What the box accepts.</summary>
    public ModelTransferLimits Limits => _limits;

    /// <summary>Transfers open now (begun, not finished).</summary>
    public int OpenCount
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>
    /// Handles a begin: a new transfer is created, an identical one resumed (the status lists what it still
    /// misses). A transfer is bound to its first begin: one with the same id but another size, checksum or chunk
    /// size is refused TRANSFER_CONFLICT while the open one progresses, and replaces it only once that one has had
    /// no chunk for <see cref="ModelTransferLimits.IdleAfter"/>. When every slot is taken, the transfer idle longest
    /// past that gives its slot up; else the begin is answered BUSY. A signed push (see the constructor) is not held
    /// off by unsigned transfers: it replaces an unsigned one with its id at once, and when every slot is taken the
    /// unsigned transfer that progressed least recently gives its slot up to it. Signed transfers are never displaced
    /// by another begin until idle, and no transfer is while its package is being installed.
    /// </summary>
    public ModelStatus Begin(ReadOnlySpan<byte> json)
    {
        var begin = Parse(json, ModelTransferJsonContext.Default.TransferBegin);
        if (begin is null || !IsValidId(begin.TransferId) || begin.Size <= 0 || !Sha256Hex().IsMatch(begin.Sha256))
        {
            return Rejection(begin?.TransferId, "begin", TransferReasons.Malformed, "begin needs transferId [A-Za-z0-9-]{1,64}, size > 0, sha256 (64 hex digits), chunkSize, fileName");
        }

        if (begin.Size > _limits.MaxPackageBytes || begin.ChunkSize > _limits.MaxChunkBytes)
        {
            return Rejection(begin.TransferId, "begin", TransferReasons.Oversized,
                $"package {begin.Size} bytes (limit {_limits.MaxPackageBytes}), chunk {begin.ChunkSize} bytes (limit {_limits.MaxChunkBytes})");
        }

        if (begin.ChunkSize < ModelTransferLimits.MinChunkBytes)
        {
            return Rejection(begin.TransferId, "begin", TransferReasons.Malformed, $"chunkSize {begin.ChunkSize} is below {ModelTransferLimits.MinChunkBytes} bytes");
        }

        // Verified outside the lock: an ECDSA verification is the slowest step of a begin.
        var signed = _signedPush(begin);
        lock (_gate)
        {
            DeleteStale();
            var now = _time.GetUtcNow();
            if (_open.TryGetValue(begin.TransferId, out var existing))
            {
                // Sender, file name and signature only describe the push: another technician resuming the same package resumes it.
                if (existing.Begin with { Sender = null, FileName = "", Signature = null } == begin with { Sender = null, FileName = "", Signature = null })
                {
                    Log.Resumed(_logger, begin.TransferId, existing.Received, begin.ChunkCount);
                    existing.Signed |= signed;
                    return existing.Status("begin", now);
                }

                if (!IsIdle(existing, now) && !(signed && !existing.Signed && !existing.Assembled))
                {
                    return Rejection(begin.TransferId, "begin", TransferReasons.TransferConflict,
                        $"transfer {begin.TransferId} is open for {existing.Begin.Size} bytes, SHA-256 {existing.Begin.Sha256.ToLowerInvariant()}, chunks of {existing.Begin.ChunkSize}; it is kept");
                }

                Log.Replaced(_logger, begin.TransferId, existing.Received, existing.Begin.ChunkCount);
                Remove(existing);
            }

            if (_open.Count >= _limits.MaxConcurrentTransfers
                && _open.Values.Where(t => IsIdle(t, now)).MinBy(t => t.LastProgress) is { } idlest)
            {
                Log.Evicted(_logger, idlest.Begin.TransferId, idlest.Received, idlest.Begin.ChunkCount, begin.TransferId);
                Remove(idlest);
            }

            // A squatter's bare begins must not keep a technician's signed push out until IdleAfter.
            if (signed && _open.Count >= _limits.MaxConcurrentTransfers
                && _open.Values.Where(t => !t.Signed && !t.Assembled).MinBy(t => t.LastProgress) is { } squatter)
            {
                Log.Preempted(_logger, squatter.Begin.TransferId, squatter.Received, squatter.Begin.ChunkCount, begin.TransferId);
                Remove(squatter);
            }

            if (_open.Count >= _limits.MaxConcurrentTransfers)
            {
                return Rejection(begin.TransferId, "begin", TransferReasons.Busy, $"{_open.Count} transfers already open and receiving (limit {_limits.MaxConcurrentTransfers})");
            }

            // Chunks and the assembled package are on disk together for a moment: twice the package.
            var free = FreeBytes();
            if (free - (2 * begin.Size) < _limits.ReserveBytes)
            {
                return Rejection(begin.TransferId, "begin", TransferReasons.NoSpace,
                    $"{free} bytes free; the package needs {2 * begin.Size} while receiving and {_limits.ReserveBytes} must stay free");
            }

            try
            {
                var transfer = Create(begin, now);
                transfer.Signed = signed;
                _open[begin.TransferId] = transfer;
                Log.Began(_logger, begin.TransferId, ForeignText.Clip(begin.FileName), begin.Size, begin.ChunkCount, ForeignText.Clip(begin.Sender ?? "?"));
                return transfer.Status("begin", now);
            }
            catch (IOException e)
            {
                return Rejection(begin.TransferId, "begin", TransferReasons.Storage, e.Message);
            }
        }
    }

    /// <summary>
    /// Stores one chunk. Returns a progress status every tenth of the package, a <c>failed</c> one when the chunk
    /// cannot be written, else null. A chunk of an unknown transfer, out of range or of the wrong length is
    /// dropped (logged once per transfer): the sender learns at its end that it is still missing.
    /// </summary>
    public ModelStatus? Chunk(string transferId, string indexText, ReadOnlySequence<byte> payload)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(transferId, out var transfer))
            {
                return null;
            }

            if (!int.TryParse(indexText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                || index >= transfer.Begin.ChunkCount || payload.Length != transfer.Begin.LengthOf(index))
            {
                if (!transfer.WarnedBadChunk)
                {
                    transfer.WarnedBadChunk = true;
                    Log.BadChunk(_logger, transferId, ForeignText.Clip(indexText), payload.Length, transfer.Begin.ChunkCount);
                }

                return null;
            }

            if (transfer.Have[index])
            {
                return null;
            }

            if (FreeBytes() - payload.Length < _limits.ReserveBytes)
            {
                // Said once until a chunk fits again: a flood of chunks must not become a flood of statuses.
                if (transfer.WarnedNoSpace)
                {
                    return null;
                }

                transfer.WarnedNoSpace = true;
                Log.ChunkNotWritten(_logger, transferId, index, $"free disk would fall below Models:Transfer:ReserveBytes ({_limits.ReserveBytes} bytes)");
                return transfer.Status("chunk", _time.GetUtcNow()) with
                {
                    State = ModelStates.Failed,
                    Reason = TransferReasons.NoSpace,
                    Detail = $"chunk {index} not written: free disk would fall below the {_limits.ReserveBytes}-byte reserve",
                };
            }

            try
            {
                var path = Path.Combine(transfer.Folder, ChunksFolder, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                using (var stream = new FileStream(path + ".part", FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    foreach (var segment in payload)
                    {
                        stream.Write(segment.Span);
                    }

                    // A chunk that exists must be whole after a power cut too (a restart counts it as received).
                    stream.Flush(flushToDisk: true);
                }

                File.Move(path + ".part", path, overwrite: true);
            }
            catch (IOException e)
            {
                Log.ChunkNotWritten(_logger, transferId, index, e.Message);
                return transfer.Status("chunk", _time.GetUtcNow()) with { State = ModelStates.Failed, Reason = TransferReasons.Storage, Detail = e.Message };
            }

            transfer.Mark(index);
            transfer.LastProgress = _time.GetUtcNow();
            transfer.WarnedNoSpace = false;
            var tenth = transfer.Received * 10 / transfer.Begin.ChunkCount;
            if (tenth == transfer.ReportedTenth)
            {
                return null;
            }

            transfer.ReportedTenth = tenth;
            return transfer.Status("chunk", _time.GetUtcNow()) with { Missing = [] };
        }
    }

    /// <summary>
    /// Handles an end: when chunks are missing, a <c>receiving</c> status lists them; when all are there, the
    /// package is assembled (streamed, hashed on the way) and returned with a <c>verifying</c> status, or the
    /// transfer is dropped with CHECKSUM when size or SHA-256 differ from the begin.
    /// </summary>
    public (ModelStatus Status, CompletedTransfer? Completed) End(ReadOnlySpan<byte> json)
    {
        var end = Parse(json, ModelTransferJsonContext.Default.TransferEnd);
        if (end is null || !IsValidId(end.TransferId))
        {
            return (Rejection(end?.TransferId, "end", TransferReasons.Malformed, "end needs a transferId"), null);
        }

        lock (_gate)
        {
            if (!_open.TryGetValue(end.TransferId, out var transfer))
            {
                return (Rejection(end.TransferId, "end", TransferReasons.UnknownTransfer, "no open transfer with this id: send begin first"), null);
            }

            if (transfer.Received < transfer.Begin.ChunkCount)
            {
                return (transfer.Status("end", _time.GetUtcNow()), null);
            }

            var (size, sha256) = Assemble(transfer);
            if (size != transfer.Begin.Size || !string.Equals(sha256, transfer.Begin.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                Remove(transfer);
                return (Rejection(end.TransferId, "end", TransferReasons.Checksum,
                    $"assembled {size} bytes with SHA-256 {sha256}; begin announced {transfer.Begin.Size} bytes, {transfer.Begin.Sha256.ToLowerInvariant()}"), null);
            }

            Log.Assembled(_logger, end.TransferId, size);
            transfer.Assembled = true;
            return (transfer.Status("end", _time.GetUtcNow()) with { State = ModelStates.Verifying }, new CompletedTransfer(transfer.Begin, Path.Combine(transfer.Folder, PackageFile), end.Downgrade));
        }
    }

    /// <summary>Deletes a transfer once the handler is done with its package (whatever the outcome).</summary>
    public void Finish(string transferId)
    {
        lock (_gate)
        {
            if (_open.TryGetValue(transferId, out var transfer))
            {
                Remove(transfer);
            }
        }
    }

    private (long Size, string Sha256) Assemble(OpenTransfer transfer)
    {
        var package = Path.Combine(transfer.Folder, PackageFile);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        long size = 0;
        try
        {
            using var output = new FileStream(package, FileMode.Create, FileAccess.Write, FileShare.None);
            for (var index = 0; index < transfer.Begin.ChunkCount; index++)
            {
                using var chunk = File.OpenRead(Path.Combine(transfer.Folder, ChunksFolder, index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                int read;
                while ((read = chunk.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    output.Write(buffer, 0, read);
                    size += read;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private OpenTransfer Create(TransferBegin begin, DateTimeOffset now)
    {
        var folder = Path.Combine(_folder, begin.TransferId);
        Directory.CreateDirectory(Path.Combine(folder, ChunksFolder));
        File.WriteAllBytes(Path.Combine(folder, BeginFile), JsonSerializer.SerializeToUtf8Bytes(begin, ModelTransferJsonContext.Default.TransferBegin));
        return new OpenTransfer(begin, folder) { LastProgress = now };
    }

    // An assembled package is being verified and installed (a canary may take a while): never displaced then.
    private bool IsIdle(OpenTransfer transfer, DateTimeOffset now) => !transfer.Assembled && now - transfer.LastProgress >= _limits.IdleAfter;

    private long FreeBytes() => new DriveInfo(Path.GetFullPath(_folder)).AvailableFreeSpace;

    /// <summary>A transfer folder left by an earlier run: resumable, or deleted when stale or unreadable.</summary>
    private OpenTransfer? Reopen(string folder)
    {
        var begin = File.Exists(Path.Combine(folder, BeginFile)) ? Parse(File.ReadAllBytes(Path.Combine(folder, BeginFile)), ModelTransferJsonContext.Default.TransferBegin) : null;
        if (begin is null || Path.GetFileName(folder) != begin.TransferId || IsStale(folder))
        {
            Directory.Delete(folder, recursive: true);
            return null;
        }

        // Its progress clock restarts with this run, so a box back from an outage waits IdleAfter for the sender. Its
        // signature is checked again: one older than the clock window no longer shields it from a signed push.
        var transfer = new OpenTransfer(begin, folder) { LastProgress = _time.GetUtcNow(), Signed = _signedPush(begin) };
        foreach (var chunk in Directory.EnumerateFiles(Path.Combine(folder, ChunksFolder)))
        {
            // A ".part" file is a chunk a crash interrupted: not received.
            if (int.TryParse(Path.GetFileName(chunk), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                && index < begin.ChunkCount && new FileInfo(chunk).Length == begin.LengthOf(index))
            {
                transfer.Mark(index);
            }
        }

        return transfer;
    }

    private void DeleteStale()
    {
        foreach (var stale in _open.Values.Where(t => IsStale(t.Folder)).ToList())
        {
            Log.Stale(_logger, stale.Begin.TransferId, stale.Received, stale.Begin.ChunkCount);
            Remove(stale);
        }
    }

    private bool IsStale(string folder)
    {
        var chunks = Path.Combine(folder, ChunksFolder);
        var touched = Directory.Exists(chunks) ? Directory.GetLastWriteTimeUtc(chunks) : Directory.GetLastWriteTimeUtc(folder);
        return _time.GetUtcNow().UtcDateTime - touched > _limits.StaleAfter;
    }

    private void Remove(OpenTransfer transfer)
    {
        _open.Remove(transfer.Begin.TransferId);
        try
        {
            Directory.Delete(transfer.Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }

    // Not logged here: the listener logs refusals under its rate limit, since anyone on the broker can cause them.
    private ModelStatus Rejection(string? transferId, string command, string reason, string detail)
    {
        return new ModelStatus(ModelStates.Rejected, _time.GetUtcNow())
        {
            TransferId = transferId is not null && IsValidId(transferId) ? transferId : null,
            Command = command,
            Reason = reason,
            Detail = detail,
        };
    }

    private static T? Parse<T>(ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The id becomes a folder name: letters, digits and dashes only, so it cannot climb out of the transfer folder.
    private static bool IsValidId(string id) => TransferIdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex TransferIdPattern();

    [GeneratedRegex("^[0-9A-Fa-f]{64}$")]
    private static partial Regex Sha256Hex();

    private sealed class OpenTransfer(TransferBegin begin, string folder)
    {
        public TransferBegin Begin { get; } = begin;

        public string Folder { get; } = folder;

        public bool[] Have { get; } = new bool[begin.ChunkCount];

        public int Received { get; private set; }

        public int ReportedTenth { get; set; }

        public bool WarnedBadChunk { get; set; }

        public bool WarnedNoSpace { get; set; }

        /// <summary>Its package is whole and with the handler until <see cref="Finish"/>.</summary>
        public bool Assembled { get; set; }

        /// <summary>Its begin carried a trusted signature for action <c>push</c>: no unsigned begin displaces it.</summary>
        public bool Signed { get; set; }

        /// <summary>When it was begun or last got a new chunk (a repeated begin is no progress).</summary>
        public DateTimeOffset LastProgress { get; set; }

        public void Mark(int index)
        {
            if (!Have[index])
            {
                Have[index] = true;
                Received++;
            }
        }

        public ModelStatus Status(string command, DateTimeOffset at) => new(ModelStates.Receiving, at)
        {
            TransferId = Begin.TransferId,
            Command = command,
            Received = Received,
            Total = Begin.ChunkCount,
            Missing = [.. Enumerable.Range(0, Have.Length).Where(i => !Have[i]).Take(MaxMissingListed)],
        };
    }
}
