using System.Globalization;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Canary;
using OpenCvSharp;

namespace EdgeAgent.Models.Activation;

/// <summary>A known-good pair a canary judges: product from its sub-folder, else the default product.</summary>
public sealed record CanaryPair(string PairId, string Product, string ImagePath, string TemplatePath);

/// <summary>What a canary run showed, with the numbers a technician needs when it fails.</summary>
public sealed record CanaryReport(
    int OkPairs,
    int OkPassed,
    int Defects,
    int DefectsCaught,
    double MaxOkScore,
    double MinDefectScore,
    IReadOnlyList<string> Failures,
    bool Passed)
{
    /// <summary>One line for the status topic and the audit trail.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"OK pairs below threshold {OkPassed}/{OkPairs} (max score {MaxOkScore:F4}), synthetic defects above it {DefectsCaught}/{Defects} (min score {MinDefectScore:F4}){FailureList}");

    private string FailureList => Failures.Count == 0 ? "" : "; " + string.Join("; ", Failures.Take(5));
}

/// <summary>
/// Proves a model before it may judge the line: every known-good pair must come out OK (below its product's
/// threshold, alignment trusted), and the same pairs with synthetic defects pasted in (cut-and-paste patches,
/// noise blotches) must come out NG. Runs the real inspection path: decode, align, crop, infer, score.
/// </summary>
public static class CanaryCheck
{
    /// <summary>The pairs under each folder (missing folders are skipped); a pair's product is its first sub-folder's name.</summary>
    public static IReadOnlyList<CanaryPair> Find(string defaultProduct, params string?[] folders)
    {
        var naming = new PairNaming(new IngestOptions());
        var pairs = new List<CanaryPair>();
        foreach (var folder in folders.OfType<string>().Where(Directory.Exists))
        {
            var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Select(path => (Path: path, Name: naming.Parse(Path.GetFileName(path))))
                .Where(f => f.Name is not null)
                .ToList();
            foreach (var image in files.Where(f => f.Name!.Role == PairRole.Image).OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                var directory = Path.GetDirectoryName(image.Path)!;
                var template = files.FirstOrDefault(f => f.Name!.Role == PairRole.Template && f.Name.PairId == image.Name!.PairId && Path.GetDirectoryName(f.Path) == directory);
                if (template.Path is null)
                {
                    continue;
                }

                var relative = Path.GetRelativePath(folder, directory);
                var product = relative == "." ? defaultProduct : relative.Split(Path.DirectorySeparatorChar)[0];
                pairs.Add(new CanaryPair(image.Name!.PairId, product, image.Path, template.Path));
            }
        }

        return pairs;
    }

    /// <summary>
    /// Judges <paramref name="pairs"/> and their defective variants with <paramref name="inspector"/>; the variants
    /// are written under <paramref name="workFolder"/> (deleted afterwards). <paramref name="minDefectRecall"/> is the
    /// share of defective variants that must come out NG.
    /// </summary>
    public static CanaryReport Run(PairInspector inspector, int crop, IReadOnlyList<CanaryPair> pairs, double minDefectRecall, string workFolder)
    {
        ArgumentNullException.ThrowIfNull(inspector);
        ArgumentNullException.ThrowIfNull(pairs);
        var failures = new List<string>();
        if (pairs.Count == 0)
        {
            return new CanaryReport(0, 0, 0, 0, double.NaN, double.NaN, ["no canary pairs (none on the box, none in the package)"], Passed: false);
        }

        Directory.CreateDirectory(workFolder);
        try
        {
            int okPassed = 0, caught = 0, defects = 0;
            double maxOk = double.NegativeInfinity, minDefect = double.PositiveInfinity;
            foreach (var (pair, index) in pairs.Select((p, i) => (p, i)))
            {
                var ok = inspector.Inspect(Candidate(pair, pair.ImagePath));
                maxOk = Math.Max(maxOk, ok.Score ?? double.NaN);
                if (ok.Outcome == VerdictKind.Ok)
                {
                    okPassed++;
                }
                else
                {
                    failures.Add($"{pair.PairId}: {ok.Outcome} {ok.Reason} score {ok.Score?.ToString("F4", CultureInfo.InvariantCulture) ?? "-"}");
                    continue; // a pair the model already rejects says nothing about defect detection
                }

                using var image = Cv2.ImRead(pair.ImagePath, ImreadModes.Color);
                foreach (var kind in Enum.GetValues<CanaryDefectKind>())
                {
                    var path = Path.Combine(workFolder, $"{pair.PairId}-{kind}_image.png");
                    using (var defective = CanaryDefects.Paste(image, kind, crop, seed: index))
                    {
                        Cv2.ImWrite(path, defective);
                    }

                    var ng = inspector.Inspect(Candidate(pair, path));
                    defects++;
                    minDefect = Math.Min(minDefect, ng.Score ?? double.NaN);
                    if (ng.Outcome == VerdictKind.Ng)
                    {
                        caught++;
                    }
                    else
                    {
                        failures.Add($"{pair.PairId}+{kind}: {ng.Outcome} score {ng.Score?.ToString("F4", CultureInfo.InvariantCulture) ?? "-"}");
                    }
                }
            }

            bool passed = okPassed == pairs.Count && defects > 0 && caught >= Math.Ceiling(minDefectRecall * defects);
            return new CanaryReport(pairs.Count, okPassed, defects, caught, maxOk, minDefect, failures, passed);
        }
        finally
        {
            Directory.Delete(workFolder, recursive: true);
        }
    }

    private static PairCandidate Candidate(CanaryPair pair, string imagePath) =>
        new(imagePath, pair.PairId, pair.Product, Path.GetDirectoryName(pair.ImagePath)!, imagePath, pair.TemplatePath, TimeProvider.System.GetUtcNow(), new Dictionary<string, string>());
}
