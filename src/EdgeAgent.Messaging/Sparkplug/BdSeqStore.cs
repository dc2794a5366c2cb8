using System.Globalization;
using EdgeAgent.Hosting;

namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>
/// The birth/death sequence number: one more on every MQTT CONNECT, 255 wrapping to 0, starting at 0
/// (tck-id-topics-nbirth-bdseq-increment, tck-id-message-flow-edge-node-birth-publish-will-message-payload-bdSeq).
/// Kept in a file so a restarted agent goes on from the last value instead of 0: the will of the killed process may
/// still be delivered after the new NBIRTH, and a host must be able to tell it is about the old session. Written
/// before the CONNECT that uses it (temp file, flush, rename), so a crash never reuses a value sent to the broker.
/// </summary>
public sealed class BdSeqStore(string path)
{
    private long? _last;

    /// <summary>
    /// The bdSeq of the CONNECT about to be sent. <paramref name="notSaved"/> says why the file could not be written
    /// (full disk, permissions): the sequence then goes on in memory, and only a restart could repeat a value.
    /// </summary>
    public long Next(out string? notSaved)
    {
        _last ??= Read();
        long next = _last is { } last and >= 0 ? (last + 1) % 256 : 0;
        _last = next;
        try
        {
            Write(next);
            notSaved = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notSaved = e.Message;
        }

        return next;
    }

    /// <summary>
    /// The CONNECT that was to carry <paramref name="bdSeq"/> never left (no TCP or TLS connection): the next
    /// <see cref="Next"/> gives it again, so a broker outage does not spend the sequence. Best effort, like <see cref="Next"/>.
    /// </summary>
    public void Unused(long bdSeq)
    {
        if (_last != bdSeq)
        {
            return;
        }

        _last = (bdSeq + 255) % 256; // the value before it; for a first 0 that is 255, whose successor is 0 again
        try
        {
            Write(_last.Value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file keeps bdSeq: the next CONNECT then skips one value, which hosts tolerate (they match equality).
        }
    }

    // -1: never connected (no file) or a file that is not a bdSeq, which starts the sequence at 0.
    private long Read()
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 255 ? value : -1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1; // missing (never connected) or unreadable: 0 is the spec's start
        }
    }

    private void Write(long value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Renamed into place and its folder synced: after a power cut the stored value is never one already sent.
        AtomicFile.Write(path, System.Text.Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
    }
}
