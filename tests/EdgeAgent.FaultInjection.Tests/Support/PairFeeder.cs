using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Testing;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>
/// Plays the AOI: writes <c>count</c> pairs into the watched folder at a steady rate, each file under a
/// temporary name and then renamed (image first, template second), pair i being staged pair
/// i mod <see cref="StagedPairs.Distinct"/> under the id <c>L{replica:D2}{lot digits}_…</c> so every pair
/// is distinct on disk and the trace pattern still reads it.
/// </summary>
public sealed class PairFeeder(StagedPairs staged, string watched, int count, double pairsPerSecond)
{
    /// <summary>Full image paths of every pair the stream will write, in writing order.</summary>
    public IReadOnlyList<string> ImagePaths { get; } = [.. Enumerable.Range(0, count).Select(i => Target(staged, watched, i).Image)];

    /// <summary>Pairs written so far.</summary>
    public int Written => Volatile.Read(ref _written);

    private int _written;

    /// <summary>
    /// Writes the stream; ends when all are written or <paramref name="cancellationToken"/> fires. With
    /// <paramref name="holdBack"/>, its last <c>Count</c> pairs wait for <c>Until</c>: a scenario's faults then always
    /// fall while pairs still flow, however fast the agent catches up.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken, (int Count, Task Until)? holdBack = null) => Task.Run(
        async () =>
        {
            var clock = Stopwatch.StartNew();
            var paced = 0; // pairs written since the clock started
            for (int i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
            {
                if (holdBack is { } held && i == count - held.Count)
                {
                    await held.Until.WaitAsync(cancellationToken).ConfigureAwait(false);
                    clock.Restart();
                    paced = 0;
                }

                var source = staged.Pairs[i % StagedPairs.Distinct];
                var (image, template) = Target(staged, watched, i);
                AoiFiles.PlaceLikeAnAoi(Path.Combine(staged.Root, source.ImagePath), image);
                AoiFiles.PlaceLikeAnAoi(Path.Combine(staged.Root, source.TemplatePath), template);
                Interlocked.Increment(ref _written);
                var due = TimeSpan.FromSeconds(++paced / pairsPerSecond) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                }
            }
        },
        cancellationToken);

    private static (string Image, string Template) Target(StagedPairs staged, string watched, int i)
    {
        var source = staged.Pairs[i % StagedPairs.Distinct];
        var id = string.Create(CultureInfo.InvariantCulture, $"L{i / StagedPairs.Distinct:D2}{source.Id[1..]}");
        var folder = Path.Combine(watched, source.Product);
        return (Path.Combine(folder, id + "_image.png"), Path.Combine(folder, id + "_template.png"));
    }

}
