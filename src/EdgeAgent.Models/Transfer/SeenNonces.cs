using System.Globalization;
using System.Text;
using EdgeAgent.Hosting;

namespace EdgeAgent.Models.Transfer;

/// <summary>
/// The nonces of the signed commands a box accepted, kept on disk for as long as their timestamp is inside the clock
/// window (after that the timestamp alone refuses them, STALE). <c>command-nonces</c>: one line
/// <c>&lt;issuedAt, Unix ms&gt; &lt;nonce&gt;</c> per accepted command, appended and fsynced before the command acts, so a
/// restart or power cut cannot make a used nonce fresh again. Rewritten without the expired lines when opened.
/// Only nonces of commands whose signature verified get here: a stranger cannot grow the file.
/// Thread-safe.
/// </summary>
public sealed class SeenNonces
{
    /// <summary>The file's name in its folder.</summary>
    public const string FileName = "command-nonces";

    private readonly string _path;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>Opens (or creates) the nonce file in <paramref name="folder"/>, keeping what is younger than <paramref name="window"/>.</summary>
    public SeenNonces(string folder, TimeSpan window, TimeProvider time)
    {
        DirectorySync.CreateFolder(folder);
        _path = Path.Combine(folder, FileName);
        _window = window;
        _time = time;
        if (File.Exists(_path))
        {
            foreach (var line in File.ReadLines(_path))
            {
                // A line a power cut cut short fails to parse and is skipped; the nonce it held was not yet acted on.
                var parts = line.Split(' ');
                if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
                {
                    _seen[parts[1]] = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                }
            }
        }

        DropExpired();
        var live = new StringBuilder();
        foreach (var (nonce, issuedAt) in _seen)
        {
            live.Append(Line(nonce, issuedAt));
        }

        AtomicFile.Write(_path, Encoding.ASCII.GetBytes(live.ToString()));
    }

    /// <summary>How long a nonce is kept: the clock window its command's timestamp must fall in.</summary>
    public TimeSpan Window => _window;

    /// <summary>Now, by the clock the nonces expire by.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Nonces held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>
    /// Records <paramref name="nonce"/> (of a command issued at <paramref name="issuedAt"/>) durably and returns true,
    /// or returns false when it was recorded before.
    /// </summary>
    /// <exception cref="IOException">The file could not be written; the command must not act.</exception>
    public bool TryAdd(string nonce, DateTimeOffset issuedAt)
    {
        lock (_gate)
        {
            DropExpired();
            if (_seen.ContainsKey(nonce))
            {
                return false;
            }

            using (var stream = new FileStream(_path, PrivateFiles.Create(FileMode.Append, FileAccess.Write)))
            {
                stream.Write(Encoding.ASCII.GetBytes(Line(nonce, issuedAt)));
                stream.Flush(flushToDisk: true);
            }

            _seen[nonce] = issuedAt;
            return true;
        }
    }

    private void DropExpired()
    {
        var now = _time.GetUtcNow();
        foreach (var nonce in _seen.Where(s => s.Value + _window < now).Select(s => s.Key).ToList())
        {
            _seen.Remove(nonce);
        }
    }

    private static string Line(string nonce, DateTimeOffset issuedAt) =>
        issuedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + " " + nonce + "\n";
}
