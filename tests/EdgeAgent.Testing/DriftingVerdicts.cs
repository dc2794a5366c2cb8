using EdgeAgent.Align;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Testing;

/// <summary>
/// Judged OK verdicts of one product whose lighting holds still and then jumps by a gain: enough for the drift watch
/// (window 50 in the tests that use it) to learn a reference and raise a <c>brightness</c> event. Seeded noise.
/// </summary>
public static class DriftingVerdicts
{
    /// <summary><paramref name="count"/> verdicts; from <paramref name="shiftAt"/> on, brightness and contrast carry <paramref name="gain"/>.</summary>
    public static IReadOnlyList<Verdict> Stream(int count, int shiftAt, double gain, string product = "UBM", DateTimeOffset? start = null)
    {
        var random = new Random(17);
        var at = start ?? new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var g = i >= shiftAt ? gain : 1.0;
            var noise = (random.NextDouble() - 0.5) * 0.04;
            return new Verdict
            {
                Id = new VerdictIdGenerator(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(at.AddSeconds(i))).Next(),
                Seq = 0,
                PairId = $"D{i}",
                Product = product,
                Image = new SourceFile($"/aoi/{product}/D{i}_image.png", "aa"),
                Template = new SourceFile($"/aoi/{product}/D{i}_template.png", "bb"),
                Outcome = VerdictKind.Ok,
                Score = 0.5 + noise,
                Threshold = 1,
                Model = new ModelRef("stpm", "1.0.0", "cc", "CPU"),
                Alignment = new Alignment(0, 0, 0, 0.9 + noise),
                Photometry = new Photometry(g * (1 + noise), g * (1 - noise)),
                TimingsMs = new Timings(1, 2, 3, 4, 10),
                Station = new StationIdentity("t", "a", "l", "s"),
                JudgedAt = at.AddSeconds(i),
            };
        })];
    }
}
