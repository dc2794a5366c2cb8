using System.Globalization;
using EdgeAgent.Ingest;
using EdgeAgent.Score;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent bench --alignment</c>: the aligner against issue 15's acceptance on generated pairs with known transforms
/// (bump and ball arrays, pitches 20–90 px, shifts up to ±20 px, rotations up to ±1°), then detection AP against
/// misregistration: the same pairs deliberately misregistered by 0–8 px after alignment and judged by the configured
/// model through the service's own inspector. Prints tables; asserts nothing.
/// </summary>
internal static class AlignmentBench
{
    private const double Correct = 0.5;
    private const int Crop = ImageAligner.DefaultResidualCrop;
    private static readonly string[] Products = ["UBM", "BGA"];
    private static readonly double[] Misregistrations = [0, 1, 2, 4, 8];
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static int Run(int count, int apCount, string? configFile, string? modelPath, string root)
    {
        Directory.CreateDirectory(root);
        using var offline = OfflineInspector.Create(configFile, modelPath, quiet: true);
        var options = offline.Options<AlignmentOptions>();
        var aligner = new ImageAligner(options);
        var generator = new AoiPairGenerator(seed: 15, pitch: new PitchRange(20, 90));
        var draw = new Random(15);
        var rows = new List<Row>(count);
        using (var progress = TerminalProgress.Start("bench --alignment: pairs aligned", count))
        {
            for (var i = 0; i < count; i++)
            {
                var product = Products[i % Products.Length];
                double dx = Uniform(draw, 20), dy = Uniform(draw, 20), angle = Uniform(draw, 1);
                using var pair = generator.Next(defective: i / 2 % 2 == 1, dx, dy, angle, product);
                var estimate = aligner.Estimate(pair.Image, pair.Template, Crop);
                var error = AlignmentResidual.MaxCornerError(estimate.Alignment, pair.Truth, pair.Template.Cols, Crop);
                rows.Add(new Row(product, pair.PitchPx, error, estimate.Alignment.ResidualPx ?? double.NaN, estimate.Trusted, estimate.Alignment.Ambiguous == true, estimate.UntrustedReason));
                progress.Report(i + 1);
            }
        }

        Console.WriteLine(string.Create(C, $"alignment: {count} generated pairs (seed 15), shifts ±20 px, angles ±1°, pitch 20–90 px, half NG; MaxShiftPx {options.MaxShiftPx}, MaxResidualPx {options.MaxResidualPx}, crop {Crop}"));
        Console.WriteLine("| layout | pitch px | pairs | whole-pitch jumps | within 0.5 px | REVIEW | of which ambiguous | false REVIEW | wrong but trusted | reported residual p50 / p99 px |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in rows.GroupBy(r => (r.Product, Band: PitchBand(r.Pitch))).OrderBy(g => g.Key.Product, StringComparer.Ordinal).ThenBy(g => g.Key.Band, StringComparer.Ordinal))
        {
            Console.WriteLine(Line($"{Layout(group.Key.Product)} | {group.Key.Band}", [.. group]));
        }

        Console.WriteLine(Line("**all** | 20–90", rows));
        foreach (var r in rows.Where(r => !r.Trusted || r.Error > Correct))
        {
            Console.WriteLine(string.Create(C, $"  {r.Product} pitch {r.Pitch}: error {r.Error:F2} px, reported residual {r.Residual:F2}, {(r.Trusted ? "trusted" : "REVIEW: " + r.Reason)}"));
        }

        Console.WriteLine();
        ApAgainstMisregistration(offline, aligner, apCount, root);
        return 0;
    }

    private static string Line(string label, List<Row> rows)
    {
        var review = rows.Where(r => !r.Trusted).ToList();
        var residuals = rows.Where(r => r.Error <= Correct).Select(r => r.Residual).Order().ToList();
        return string.Create(C, $"| {label} | {rows.Count} | {rows.Count(r => r.Error > r.Pitch / 2.0)} | {Percent(rows.Count(r => r.Error <= Correct), rows.Count)} | {review.Count} | {review.Count(r => r.Ambiguous)} | ")
            + string.Create(C, $"{Percent(review.Count(r => r.Error <= Correct && !r.Ambiguous), rows.Count)} | {rows.Count(r => r.Trusted && r.Error > Correct)} | {Quantile(residuals, 0.5):F2} / {Quantile(residuals, 0.99):F2} |");
    }

    /// <summary>
    /// Each pair warped into the template frame with its true transform plus a deliberate error of m px (random
    /// direction), saved, and judged with alignment off: what the model scores at exactly that misregistration.
    /// Beside it, what the residual probe reports for the same warp and how many pairs its bound sends to REVIEW.
    /// </summary>
    private static void ApAgainstMisregistration(OfflineInspector offline, ImageAligner aligner, int count, string root)
    {
        var generator = new AoiPairGenerator(seed: 16, pitch: new PitchRange(20, 90));
        var draw = new Random(16);
        var bound = offline.Options<AlignmentOptions>().MaxResidualPx;
        var scores = Misregistrations.ToDictionary(m => m, _ => new List<(string Product, double Score, bool Ng, double Residual)>());
        using (var progress = TerminalProgress.Start("bench --alignment: pairs judged", count * Misregistrations.Length))
        {
            for (var i = 0; i < count; i++)
            {
                var product = Products[i % Products.Length];
                double dx = Uniform(draw, 20), dy = Uniform(draw, 20), angle = Uniform(draw, 1), direction = draw.NextDouble() * 2 * Math.PI;
                using var pair = generator.Next(defective: i / 2 % 2 == 1, dx, dy, angle, product);
                var folder = Path.Combine(root, "misregistered", product);
                Directory.CreateDirectory(folder);
                var templatePath = Path.Combine(folder, $"{pair.Id}_template.bmp");
                Cv2.ImWrite(templatePath, pair.Template);
                foreach (var m in Misregistrations)
                {
                    var wrong = pair.Truth with { Dx = dx + (m * Math.Cos(direction)), Dy = dy + (m * Math.Sin(direction)) };
                    var imagePath = Path.Combine(folder, string.Create(C, $"{pair.Id}_m{m}_image.bmp"));
                    using (var warped = AlignmentWarp.ToTemplate(pair.Image, wrong))
                    {
                        Cv2.ImWrite(imagePath, warped);
                    }

                    var candidate = new PairCandidate(imagePath, pair.Id, product, folder, imagePath, templatePath, TimeProvider.System.GetUtcNow(), new Dictionary<string, string>());
                    var verdict = offline.Inspector.Inspect(candidate, align: false);
                    if (verdict is { Outcome: VerdictKind.Ok or VerdictKind.Ng, Score: { } score })
                    {
                        scores[m].Add((product, score, pair.IsDefective, aligner.MeasureResidual(pair.Image, pair.Template, wrong, Crop)));
                    }

                    progress.Report((i * Misregistrations.Length) + Array.IndexOf(Misregistrations, m) + 1);
                }
            }
        }

        Console.WriteLine(string.Create(C, $"detection AP against misregistration: {count} generated pairs (seed 16, half NG), judged by {offline.Model.Info.Name} {offline.Model.Info.Version} with alignment off on images warped with the true transform plus m px"));
        Console.WriteLine("| misregistration m px | AP all | AP bump (UBM) | AP ball (BGA) | reported residual p50 / p90 px | sent to REVIEW by MaxResidualPx |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (m, judged) in scores)
        {
            var residuals = judged.Select(j => j.Residual).Order().ToList();
            Console.WriteLine(string.Create(C, $"| {m} | {Ap(judged):F3} | {Ap(judged.Where(j => j.Product == "UBM")):F3} | {Ap(judged.Where(j => j.Product == "BGA")):F3} | ")
                + string.Create(C, $"{Quantile(residuals, 0.5):F2} / {Quantile(residuals, 0.9):F2} | {Percent(residuals.Count(r => r > bound), residuals.Count)} |"));
        }
    }

    private static double Ap(IEnumerable<(string Product, double Score, bool Ng, double Residual)> judged) =>
        AveragePrecision.Compute(judged.Select(j => (j.Score, j.Ng)));

    private static string PitchBand(int pitch) => pitch switch { < 32 => "20–31", < 60 => "32–59", _ => "60–90" };

    private static string Layout(string product) => product == "BGA" ? "ball (BGA)" : "bump (UBM)";

    private static string Percent(int part, int whole) => whole == 0 ? "–" : string.Create(C, $"{100.0 * part / whole:0.0} %");

    private static double Quantile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    private static double Uniform(Random random, double max) => max * ((2 * random.NextDouble()) - 1);

    private sealed record Row(string Product, int Pitch, double Error, double Residual, bool Trusted, bool Ambiguous, string? Reason);
}
