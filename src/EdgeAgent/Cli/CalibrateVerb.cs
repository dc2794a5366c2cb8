using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Score;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent calibrate</c>: scores folders of known-OK (and known-NG) pairs with the service's own
/// inspector and proposes the product's threshold for a target overkill; <c>--write</c> puts it in a
/// configuration file.
/// </summary>
internal static class CalibrateVerb
{
    public static Command Command()
    {
        var ok = CliOptions.Required("--ok", "DIR", "folder of known-OK pairs (searched recursively)");
        var ng = CliOptions.Text("--ng", "DIR", "folder of known-NG pairs, for recall and escapes");
        var model = CliOptions.Text("--model", "M", "ONNX model [default: the configured one]");
        var product = CliOptions.Text("--product", "P", "product to calibrate [default: default]");
        var target = CliOptions.Number("--target-overkill", 0.001, "F", "share of OK pairs allowed at or above the threshold, in [0, 1)");
        var targetReview = CliOptions.Number("--target-false-review", 0.005, "F", "models with an out-of-distribution output: share of OK pairs allowed beyond the proposed bound, in [0, 1)");
        var others = CliOptions.Text("--others", "DIR", "pairs of other products: their out-of-distribution distances are printed beside the bound");
        var config = CliOptions.Config();
        var write = CliOptions.Text("--write", "FILE", "put the threshold (and the bound) into this configuration file as Products:<product>:Threshold (:OodBound)");
        var json = CliOptions.Flag("--json", "print the calibration record as JSON");
        var command = new Command("calibrate", "scores known-OK (and known-NG) pairs and proposes the product's threshold for a target overkill")
            .With(ok, ng, model, product, target, targetReview, others, config, write, json);
        command.SetAction((result, _) => Task.FromResult(Run(
            new Request(result.GetRequiredValue(ok), result.GetValue(ng), result.GetValue(others), result.GetValue(model), result.GetValue(product) ?? "default",
                result.GetValue(target), result.GetValue(targetReview)), result.GetValue(config), result.GetValue(write), result.GetValue(json))));
        return command;
    }

    /// <summary>What to calibrate: the folders, the model, the product and the two targets.</summary>
    public sealed record Request(string Ok, string? Ng, string? Others, string? Model, string Product, double TargetOverkill, double TargetFalseReview);

    public static int Run(Request request, string? configFile, string? write, bool json)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (product, target) = (request.Product, request.TargetOverkill);
        var okFolder = Folder(request.Ok);
        var ngFolder = request.Ng is { } ng ? Folder(ng) : null;
        var othersFolder = request.Others is { } o ? Folder(o) : null;
        if (target is not (>= 0 and < 1))
        {
            throw new UsageException("Option --target-overkill must lie in [0, 1), e.g. 0.001 for one in a thousand.");
        }

        if (request.TargetFalseReview is not (>= 0 and < 1))
        {
            throw new UsageException("Option --target-false-review must lie in [0, 1), e.g. 0.005 for one in two hundred.");
        }

        var modelPath = request.Model;
        using var offline = OfflineInspector.Create(configFile, modelPath, quiet: json);
        var naming = new PairNaming(offline.Options<IngestOptions>());
        var ok = ScoreFolder(offline.Inspector, naming, okFolder, product, "calibrate: OK pairs scored");
        var ngSet = ngFolder is null ? new ScoredFolder([], [], []) : ScoreFolder(offline.Inspector, naming, ngFolder, product, "calibrate: NG pairs scored");
        var otherSet = othersFolder is null ? null : ScoreFolder(offline.Inspector, naming, othersFolder, product, "calibrate: other products' pairs scored");
        var c = CultureInfo.InvariantCulture;
        foreach (var excluded in ok.Excluded.Concat(ngSet.Excluded))
        {
            // Not in the statistics: an ERROR or REVIEW pair has no score the threshold could be judged on.
            Console.Error.WriteLine(string.Create(c, $"excluded  {excluded.Outcome.ToString().ToUpperInvariant()} {excluded.Reason}  {excluded.Image.Path}{(excluded.Detail is null ? "" : $": {excluded.Detail}")}"));
        }

        if (ok.Scores.Count == 0)
        {
            Console.Error.WriteLine($"edgeagent: calibrate: no OK pair under {okFolder} could be scored ({ok.Excluded.Count} excluded).");
            return 1;
        }

        var calibration = ThresholdCalibration.Calibrate(ok.Scores, ngSet.Scores, target);
        var bound = ok.Distances.Count == 0 ? null : OodCalibration.Propose(ok.Distances, request.TargetFalseReview, ok.Bound, otherSet?.Distances);
        var current = ok.Threshold;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(calibration with { Ood = bound }, CalibrationJsonContext.Default.ThresholdCalibration));
        }
        else
        {
            Console.WriteLine(string.Create(c, $"product {product}, model {offline.Model.Info.Name} {offline.Model.Info.Version}"));
            Console.WriteLine(string.Create(c, $"OK {okFolder}: {ok.Scores.Count} scored, {ok.Excluded.Count} excluded (ERROR/REVIEW, listed on stderr, not in the statistics)"));
            if (ngFolder is not null)
            {
                Console.WriteLine(string.Create(c, $"NG {ngFolder}: {ngSet.Scores.Count} scored, {ngSet.Excluded.Count} excluded"));
            }

            Console.WriteLine();
            Console.WriteLine(ScoreHistogram.Render(ok.Scores, ngSet.Scores, calibration.Threshold));
            Console.WriteLine();
            Console.WriteLine(Describe(calibration, current));
            if (bound is not null)
            {
                Console.WriteLine(bound.Describe());
            }
            else if (othersFolder is not null)
            {
                Console.WriteLine("ood        the model has no out-of-distribution output; --others is not used");
            }
        }

        if (write is not null)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal) { ["Threshold"] = calibration.Threshold };
            if (bound is not null)
            {
                values["OodBound"] = bound.Bound;
            }

            var previous = ProductThresholdFile.Write(write, product, values);
            // With --json, stdout holds the record alone.
            foreach (var (key, value) in values)
            {
                (json ? Console.Error : Console.Out).WriteLine(string.Create(c,
                    $"wrote {Path.GetFullPath(write)}: Products:{product}:{key} {previous[key] ?? "(unset)"} -> {value.ToString("R", c)}"));
            }
        }

        return 0;
    }

    private static string Describe(ThresholdCalibration k, double? current)
    {
        var c = CultureInfo.InvariantCulture;
        var q = k.OkQuantiles;
        var lines = new List<string>
        {
            string.Create(c, $"OK scores  p50 {q.P50:0.0000}  p90 {q.P90:0.0000}  p99 {q.P99:0.0000}  p99.9 {q.P999:0.0000}  max {q.Max:0.0000}"),
            string.Create(c, $"threshold  {k.Threshold:0.000000}  (now {(current is { } now ? now.ToString("0.000000", c) : "unknown")})"),
            string.Create(c, $"overkill   {k.OverkillCount} of {k.OkCount} OK at or above it ({k.OverkillPercent:0.###}%), target {k.TargetOverkill * 100:0.###}%"),
        };
        if (k.Recall is { } recall)
        {
            lines.Add(string.Create(c, $"NG         recall {recall * 100:0.#}%, {k.Escapes} of {k.NgCount} escape, AP {k.NgAveragePrecision:0.000}"));
        }

        if (k.Warning is not null)
        {
            lines.Add("warning    " + k.Warning);
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Folder(string path) =>
        Directory.Exists(path) ? Path.GetFullPath(path) : throw new UsageException($"Folder not found: {path}");

    // Every image under the folder (recursively) with its template, judged as the service would judge it.
    private static ScoredFolder ScoreFolder(PairInspector inspector, PairNaming naming, string folder, string product, string label)
    {
        var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Select(path => (Path: path, Name: naming.Parse(Path.GetFileName(path))))
            .Where(f => f.Name is not null)
            .GroupBy(f => (Directory: Path.GetDirectoryName(f.Path)!, f.Name!.PairId))
            .OrderBy(g => g.Key.Directory, StringComparer.Ordinal).ThenBy(g => g.Key.PairId, StringComparer.Ordinal)
            .ToList();
        using var progress = TerminalProgress.Start(label, files.Sum(g => g.Count(f => f.Name!.Role == PairRole.Image)));
        var scores = new List<double>();
        var distances = new List<double>();
        var excluded = new List<Verdict>();
        double? threshold = null, bound = null;
        foreach (var group in files)
        {
            var template = group.Where(f => f.Name!.Role == PairRole.Template).Select(f => f.Path).Order(StringComparer.Ordinal).FirstOrDefault();
            foreach (var image in group.Where(f => f.Name!.Role == PairRole.Image).Select(f => f.Path).Order(StringComparer.Ordinal))
            {
                var pair = new PairCandidate(image, group.Key.PairId, product, folder, image, template, TimeProvider.System.GetUtcNow(), new Dictionary<string, string>());
                var verdict = inspector.Inspect(pair);
                progress.Report(scores.Count + excluded.Count + 1);
                threshold ??= verdict.Threshold;
                if (verdict.Ood is { } ood)
                {
                    // Beyond the bound or not, the template's distance is what the bound is on.
                    distances.Add(ood.Template);
                    bound ??= ood.Bound;
                }

                if (verdict is { Outcome: VerdictKind.Ok or VerdictKind.Ng, Score: { } score })
                {
                    scores.Add(score);
                }
                else
                {
                    excluded.Add(verdict);
                }
            }
        }

        return new ScoredFolder(scores, excluded, distances, threshold, bound);
    }

    private sealed record ScoredFolder(List<double> Scores, List<Verdict> Excluded, List<double> Distances, double? Threshold = null, double? Bound = null);
}

/// <summary>The calibration record as <c>calibrate --json</c> prints it.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ThresholdCalibration))]
internal sealed partial class CalibrationJsonContext : JsonSerializerContext;
