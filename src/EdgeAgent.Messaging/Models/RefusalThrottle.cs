namespace EdgeAgent.Messaging.Models;

/// <summary>
/// How many refused commands get a log line and an audit row: at most <c>perMinute</c> in each minute (a fixed
/// window opened by the first refusal), the rest only counted. The count is handed back with the first refusal of
/// a later window, so a flood leaves one "N suppressed" row instead of one row (a write lock and a checkpoint) each.
/// Called from the MQTT receive loop and the command loop, hence the lock.
/// </summary>
public sealed class RefusalThrottle(int perMinute, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _admitted;
    private int _suppressed;

    /// <summary>
    /// True when this refusal is to be logged and audited. <paramref name="suppressed"/> is the number of refusals
    /// suppressed since <paramref name="since"/> and not reported yet (0 mostly): report them first.
    /// </summary>
    public bool Admit(out int suppressed, out DateTimeOffset since)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            (suppressed, since) = (0, _windowStart);
            if (now - _windowStart >= Window)
            {
                (suppressed, _suppressed, _admitted, _windowStart) = (_suppressed, 0, 0, now);
            }

            if (_admitted < perMinute)
            {
                _admitted++;
                return true;
            }

            _suppressed++;
            return false;
        }
    }
}
