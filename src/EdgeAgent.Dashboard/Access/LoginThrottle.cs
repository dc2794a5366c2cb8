namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// Failed logins per user name and per client address, in memory. The first <see cref="FreeFailures"/> failures of a
/// key cost nothing; each one after locks the key for twice as long as the last (30 s, 1 min, 2 min … at most
/// 15 min), and during a lockout no password is even checked, the right one neither. A key is forgotten an hour
/// after its last failure, or at a successful login. At most <see cref="MaxKeys"/> keys are kept, so a flood of
/// made-up names cannot grow the table: the longest-quiet key makes room.
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    /// <summary>Failures let through before the first lockout.</summary>
    public const int FreeFailures = 5;

    /// <summary>Keys (names plus addresses) kept at most.</summary>
    public const int MaxKeys = 4096;

    private static readonly TimeSpan FirstLockout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestLockout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Memory = TimeSpan.FromHours(1);
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>How long <paramref name="name"/> or <paramref name="address"/> is still locked; zero when neither is.</summary>
    public TimeSpan LockedFor(string name, string address)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var longest = TimeSpan.Zero;
            foreach (var key in Keys(name, address))
            {
                if (_entries.TryGetValue(key, out var entry) && entry.LockedUntil > now && entry.LockedUntil - now > longest)
                {
                    longest = entry.LockedUntil - now;
                }
            }

            return longest;
        }
    }

    /// <summary>Counts a failure; returns the lockout it started (zero when none).</summary>
    public TimeSpan Failed(string name, string address)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var started = TimeSpan.Zero;
            foreach (var key in Keys(name, address))
            {
                if (!_entries.TryGetValue(key, out var entry) || now - entry.LastFailure > Memory)
                {
                    MakeRoom(now);
                    entry = new Entry(0, now, DateTimeOffset.MinValue);
                }

                var failures = entry.Failures + 1;
                var lockout = failures < FreeFailures ? TimeSpan.Zero
                    : TimeSpan.FromTicks(Math.Min(LongestLockout.Ticks, FirstLockout.Ticks << Math.Min(failures - FreeFailures, 10)));
                _entries[key] = new Entry(failures, now, lockout > TimeSpan.Zero ? now + lockout : entry.LockedUntil);
                started = lockout > started ? lockout : started;
            }

            return started;
        }
    }

    /// <summary>A successful login forgets the name's and the address's failures.</summary>
    public void Succeeded(string name, string address)
    {
        lock (_gate)
        {
            foreach (var key in Keys(name, address))
            {
                _entries.Remove(key);
            }
        }
    }

    private static string[] Keys(string name, string address) => ["n:" + name.ToUpperInvariant(), "a:" + address];

    private void MakeRoom(DateTimeOffset now)
    {
        if (_entries.Count < MaxKeys)
        {
            return;
        }

        foreach (var stale in _entries.Where(e => now - e.Value.LastFailure > Memory && e.Value.LockedUntil <= now).Select(e => e.Key).ToList())
        {
            _entries.Remove(stale);
        }

        if (_entries.Count >= MaxKeys)
        {
            _entries.Remove(_entries.MinBy(e => e.Value.LastFailure).Key);
        }
    }

    private readonly record struct Entry(int Failures, DateTimeOffset LastFailure, DateTimeOffset LockedUntil);
}
