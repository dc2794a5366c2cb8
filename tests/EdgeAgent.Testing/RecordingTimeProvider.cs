using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also tells the test each timer's due time as it is created. A loop under
/// test creates its timer only once it starts waiting, so a test that advances the clock first waits for that
/// timer: advancing earlier would move "now" before the wait began, and the wait would start from the new now.
/// </summary>
public sealed class RecordingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer created (in creation order), waiting at most 30 s of real time for it.</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _created.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>True when no timer was created since the last <see cref="NextTimerAsync"/>.</summary>
    public bool NoNewTimer => !_created.Reader.TryPeek(out _);
}
