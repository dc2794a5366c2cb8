using System.Globalization;
using EdgeAgent.Drift;
using EdgeAgent.Ingest;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Crop;
using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent bench --drift</c>: the drift rule against the issue's acceptance, on verdicts of real pairs. Generated
/// pairs of one product are judged by the service's inspector (bundled model); streams are drawn from those verdicts
/// (seeded bootstrap, so the series keep their real distributions and mix of OK and NG). Stable: ten streams of
/// 20,000 pairs as judged, counting every drift event. Slow lighting shift: the same draws, and from pair 1,000 on the
/// image crop's pixels are scaled by a gain falling linearly (a dimming lamp, saturating at 255) before brightness and
/// contrast are measured on them as the agent does; printed is how many pairs into the shift the first event came. The
/// scores, alignment and distances stay the pairs' own (the model is not run again on the dimmed crops).
/// </summary>
internal static class DriftBench
{
    private const int StableLength = 20_000;
    private const int StableStreams = 10;
    private const int ShiftStart = 1_000;
    private static readonly double[] DimPerThousand = [0.02, 0.01, 0.005];
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static int Run(int count, int size, string? configFile, string? output)
    {
        var root = Path.GetFullPath(output ?? Path.Combine(Path.GetTempPath(), "edgeagent-drift-bench"));
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Console.WriteLine($"drift bench: generating and judging {count} pairs of {size}×{size} (product UBM) in {root}");
        var generated = SyntheticDataset.Write(root, new SyntheticDatasetOptions { Count = count, Size = size, Seed = 2027, NgFraction = 0.1, Products = ["UBM"] });
        using var offline = OfflineInspector.Create(configFile, null, quiet: true);
        var options = offline.Options<DriftOptions>();
        var crop = offline.Model.Info.Crop;
        var judged = generated.Select(p => Judge(offline, Path.Combine(root, p.ImagePath), Path.Combine(root, p.TemplatePath), crop)).Where(j => j.Verdict.Outcome != VerdictKind.Error).ToList();
        Console.WriteLine(string.Create(C, $"judged  {judged.Count} pairs: OK {judged.Count(j => j.Verdict.Outcome == VerdictKind.Ok)}, NG {judged.Count(j => j.Verdict.Outcome == VerdictKind.Ng)}, REVIEW {judged.Count(j => j.Verdict.Outcome == VerdictKind.Review)}; model {offline.Model.Info.Name} {offline.Model.Info.Version}, crop {crop}"));
        Console.WriteLine(string.Create(C, $"rule    EWMA λ {options.Lambda}, L {options.L}, calibration window {options.Window} pairs; series {string.Join(", ", DriftSeries.All.Select(s => s.Name))}"));

        var total = 0;
        for (var seed = 1; seed <= StableStreams; seed++)
        {
            var events = Feed(options, Draw(judged, StableLength, seed, _ => 1.0), stopAtFirst: false);
            total += events.Count;
            Console.WriteLine(string.Create(C, $"stable  stream {seed}: {StableLength} pairs, {events.Count} drift event(s){(events.Count > 0 ? ": " + string.Join(", ", events.Select(e => $"{e.Series} at pair {e.Pairs + options.Window}")) : "")}"));
        }

        Console.WriteLine(string.Create(C, $"stable  {StableStreams * StableLength} pairs in {StableStreams} streams: {total} drift event(s)"));
        foreach (var rate in DimPerThousand)
        {
            double Gain(int i) => i < ShiftStart ? 1.0 : 1.0 - (rate * (i - ShiftStart) / 1000.0);
            var first = Feed(options, Draw(judged, StableLength, seed: 1, Gain), stopAtFirst: true).FirstOrDefault();
            Console.WriteLine(first is null
                ? string.Create(C, $"shift   lamp dimming {rate:P1} per 1,000 pairs from pair {ShiftStart}: no drift event in {StableLength} pairs")
                : string.Create(C, $"shift   lamp dimming {rate:P1} per 1,000 pairs from pair {ShiftStart}: first drift event {first.Pairs + options.Window - ShiftStart} pairs into the shift (gain {Gain((int)(first.Pairs + options.Window)):0.000}), series {first.Series}, EWMA {first.Value:0.0000} beyond {first.Limit:0.0000} (reference {first.Reference:0.0000})"));
        }

        return 0;
    }

    private static List<DriftEvent> Feed(DriftOptions options, IEnumerable<Verdict> stream, bool stopAtFirst)
    {
        var detector = new DriftDetector(options, new StationIdentity("bench", "a", "l", "s"), new VerdictIdGenerator(TimeProvider.System), []);
        var events = new List<DriftEvent>();
        foreach (var chunk in stream.Chunk(32))
        {
            events.AddRange(detector.Observe(chunk).Events);
            if (stopAtFirst && events.Count > 0)
            {
                break;
            }
        }

        return events;
    }

    // Seeded draws from the judged pairs; each draw's photometry measured on its crops under the gain of its place in the stream.
    private static IEnumerable<Verdict> Draw(List<JudgedCrops> judged, int length, int seed, Func<int, double> gain)
    {
        var random = new Random(seed);
        var at = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var scaled = new byte[judged[0].Image.Length];
        var lut = new byte[256];
        for (var i = 0; i < length; i++)
        {
            var pair = judged[random.Next(judged.Count)];
            var g = gain(i);
            for (var v = 0; v < 256; v++)
            {
                lut[v] = (byte)Math.Clamp(Math.Round(v * g), 0, 255);
            }

            for (var b = 0; b < scaled.Length; b++)
            {
                scaled[b] = lut[pair.Image[b]];
            }

            yield return pair.Verdict with { Photometry = PhotometryMeter.Measure(pair.Template, scaled, pair.Side), JudgedAt = at.AddSeconds(i) };
        }
    }

    private static JudgedCrops Judge(OfflineInspector offline, string image, string template, int crop)
    {
        var pair = new PairCandidate(image, Path.GetFileNameWithoutExtension(image), "UBM", Path.GetDirectoryName(image)!, image, template, TimeProvider.System.GetUtcNow(), new Dictionary<string, string>());
        byte[] imageCrop = new byte[crop * crop * 3], templateCrop = new byte[crop * crop];
        var verdict = offline.Inspector.Inspect(pair, align: true, warped => CentreCrop.CopyTo(warped, crop, crop, imageCrop));
        using var gray = Cv2.ImRead(template, ImreadModes.Grayscale);
        CentreCrop.CopyTo(gray, crop, crop, templateCrop);
        return new JudgedCrops(verdict, templateCrop, imageCrop, crop);
    }

    private sealed record JudgedCrops(Verdict Verdict, byte[] Template, byte[] Image, int Side);
}
