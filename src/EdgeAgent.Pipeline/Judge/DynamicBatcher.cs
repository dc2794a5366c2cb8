using System.Threading.Channels;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// Cuts an ordered stream of work in progress into batches, Triton-style: up to <c>maxBatch</c> consecutive
/// items with the same key (the model that judges them), waiting at most <c>maxWait</c> for the next one —
/// and not at all when nothing else is on its way, so a lone pair is never held. Order is kept: an item of
/// another key ends the batch and starts the next one.
/// </summary>
/// <typeparam name="T">The prepared item.</typeparam>
public sealed class DynamicBatcher<T>(
    ChannelReader<Task<T>> source,
    Func<T, object?> keyOf,
    int maxBatch,
    TimeSpan maxWait,
    Func<bool> moreComing,
    TimeProvider time)
{
    /// <summary>The next batch, in source order; null once the source is completed and drained.</summary>
    public async Task<IReadOnlyList<T>?> NextAsync(CancellationToken cancellationToken)
    {
        if (!await source.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !source.TryRead(out var head))
        {
            return null;
        }

        var first = await head.ConfigureAwait(false);
        var batch = new List<T>(maxBatch) { first };
        var key = keyOf(first);
        var deadline = time.GetUtcNow() + maxWait;
        while (batch.Count < maxBatch)
        {
            if (!source.TryPeek(out var next))
            {
                if (!moreComing() || !await ArrivesAsync(source.WaitToReadAsync(cancellationToken).AsTask(), deadline, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            if (!await ArrivesAsync(next, deadline, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            var item = await next.ConfigureAwait(false);
            if (!Equals(keyOf(item), key))
            {
                break; // stays in the source: it heads the next batch
            }

            source.TryRead(out _);
            batch.Add(item);
        }

        return batch;
    }

    // True when the task completes (with true, for a wait-to-read) before the deadline.
    private async Task<bool> ArrivesAsync(Task task, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var remaining = deadline - time.GetUtcNow();
        if (!task.IsCompleted)
        {
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(remaining, time, timeout.Token);
            var winner = await Task.WhenAny(task, delay).ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
            if (winner != task)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return false;
            }
        }

        return task is not Task<bool> open || await open.ConfigureAwait(false);
    }
}
