using EdgeAgent.Align;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Core.Tests.Drift;

/// <summary>Verdict-like streams for the control rule: seeded, so every run sees the same values.</summary>
internal static class DriftStreams
{
    public static readonly StationIdentity Station = new("s", "a", "l", "st");
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// <paramref name="count"/> OK verdicts of <paramref name="product"/> with noisy score, confidence, distances and
    /// lighting; from pair <paramref name="shiftFrom"/> on, brightness and contrast carry <paramref name="gain"/>(i).
    /// </summary>
    public static List<Verdict> Stable(int count, int seed, string product = "UBM", string sha = "m1", Func<int, double>? gain = null)
    {
        var random = new Random(seed);
        var verdicts = new List<Verdict>(count);
        for (var i = 0; i < count; i++)
        {
            var g = gain?.Invoke(i) ?? 1.0;
            verdicts.Add(Verdict(i, product, sha,
                score: 0.5 + (0.08 * Gaussian(random)),
                confidence: Math.Min(1, 0.92 + (0.02 * Gaussian(random))),
                brightness: g * (1.0 + (0.02 * Gaussian(random))),
                contrast: g * (1.0 + (0.03 * Gaussian(random)))));
        }

        return verdicts;
    }

    public static Verdict Verdict(int i, string product, string sha, double score, double confidence, double brightness, double contrast) => new()
    {
        Id = $"01JDZ{i:D21}",
        Seq = i + 1,
        PairId = $"P{i}",
        Product = product,
        Image = new SourceFile($"/aoi/{product}/P{i}_image.png", "aa"),
        Template = new SourceFile($"/aoi/{product}/P{i}_template.png", "bb"),
        Outcome = score >= 1 ? VerdictKind.Ng : VerdictKind.Ok,
        Reason = score >= 1 ? ReasonCode.ScoreAboveThreshold : null,
        Score = score,
        Threshold = 1,
        Model = new ModelRef("stpm", "1.0.0", sha, "CPU"),
        Alignment = new Alignment(0.5, -0.5, 0.1, confidence),
        Ood = new OodReading(1.0, 1.0, 2.0, false),
        Photometry = new Photometry(brightness, contrast),
        TimingsMs = new Timings(1, 2, 3, 4, 10),
        Station = Station,
        JudgedAt = Start.AddSeconds(i),
    };

    // Box–Muller: the platform's Random has no normal deviate.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
