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
/// inspector and proposes the product's threshold for a target overkill, and with <c>--target-escape</c> an
/// uncertainty band under it; <c>--write</c> puts them in a configuration file.
/// </summary>
internal static class CalibrateVerb
{
    public static Command Command()
    {
        var ok = CliOptions.Text("--ok", "DIR", "folder of known-OK pairs (searched recursively); required unless --decisions");
        var ng = CliOptions.Text("--ng", "DIR", "folder of known-NG pairs, for recall and escapes");
        var model = CliOptions.Text("--model", "M", "ONNX model [default: the configured one]");
        var product = CliOptions.Text("--product", "P", "product to calibrate [default: default]");
        var target = CliOptions.Number("--target-overkill", 0.001, "F", "share of OK pairs allowed at or above the threshold, in [0, 1)");
        var targetEscape = new Option<double?>("--target-escape")
        {
            Description = "propose an uncertainty band: share of NG pairs allowed below its OK end (judged OK), in [0, 1), e.g. 0.005; needs --ng",
            HelpName = "F",
        };
        var targetReview = CliOptions.Number("--target-false-review", 0.005, "F", "models with an out-of-distribution output: share of OK pairs allowed beyond the proposed bound, in [0, 1)");
        var others = CliOptions.Text("--others", "DIR", "pairs of other products: their out-of-distribution distances are printed beside the bound");
        var config = CliOptions.Config();
        var write = CliOptions.Text("--write", "FILE", "put the threshold (the band, the bound) into this configuration file as Products:<product>:Threshold (:ThresholdOk, :OodBound)");
        var json = CliOptions.Flag("--json", "print the calibration record as JSON");
        var decisions = CliOptions.Flag("--decisions", "propose from the journal's operator decisions alone (their pairs' scores), instead of --ok/--ng folders");
        var since = CliOptions.Text("--since", "30d|ISO", "with --decisions: decisions stored since then [default: 30d]");
        var dataDir = CliOptions.Text("--data-dir", "DIR", "with --decisions: the agent's data directory [default: Storage:DataDirectory of the configuration]");
        var command = new Command("calibrate", "scores known-OK (and known-NG) pairs and proposes the product's threshold for a target overkill")
            .With(ok, ng, model, product, target, targetEscape, targetReview, others, config, write, json, decisions, since, dataDir);
        command.SetAction((result, _) => Task.FromResult(result.GetValue(decisions)
            ? DecisionCalibration.Run(result.GetValue(product) ?? "default", result.GetValue(target), result.GetValue(targetEscape), result.GetValue(since) ?? "30d",
                result.GetValue(dataDir), result.GetValue(config), result.GetValue(write), result.GetValue(json))
            : Run(new Request(result.GetValue(ok) ?? throw new UsageException("Option --ok is required (or --decisions, to propose from operator decisions)."), result.GetValue(ng), result.GetValue(others), result.GetValue(model), result.GetValue(product) ?? "default",
                result.GetValue(target), result.GetValue(targetReview)) { TargetEscape = result.GetValue(targetEscape) }, result.GetValue(config), result.GetValue(write), result.GetValue(json))));
        return command;
    }

    /// <summary>What to calibrate: the folders, the model, the product and the two targets.</summary>
    public sealed record Request(string Ok, string? Ng, string? Others, string? Model, string Product, double TargetOverkill, double TargetFalseReview)
    {
        /// <summary>With a value, propose an uncertainty band for this share of NG pairs judged OK.</summary>
        public double? TargetEscape { get; init; }
    }

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

        if (request.TargetEscape is { } escape && (escape is not (>= 0 and < 1) || ngFolder is null))
        {
            throw new UsageException("Option --target-escape must lie in [0, 1), e.g. 0.005 for one NG in two hundred judged OK, and needs --ng.");
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
        // A combination's band lies on its combined score, where every member's own threshold is 1: only its OK end is proposed.
        var combined = offline.Inspector.Panel.Combine is not null;
        var band = request.TargetEscape is { } targetEscape && ngSet.Scores.Count > 0
            ? BandCalibration.Propose(ok.Scores, ngSet.Scores, combined ? 1.0 : calibration.Threshold, targetEscape)
            : null;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(calibration with { Ood = bound, Band = band }, CalibrationJsonContext.Default.ThresholdCalibration));
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
            if (band is not null)
            {
                Console.WriteLine(DescribeBand(band));
            }

            if (ok.Band is { } now && now.Ok < now.Ng && ngSet.Scores.Count > 0)
            {
                // The band the configuration holds, on these pairs: run on held-out pairs, it shows what the band does on new work.
                Console.WriteLine(string.Create(c, $"band now   OK below {now.Ok:0.000000}, NG at or above {now.Ng:0.000000} (the configuration's), on these pairs:"));
                Console.WriteLine(FiguresRow("  one threshold", BandFigures.Of(ok.Scores, ngSet.Scores, now.Ng, now.Ng)));
                Console.WriteLine(FiguresRow("  band", BandFigures.Of(ok.Scores, ngSet.Scores, now.Ok, now.Ng)));
            }

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
            Write(write, product, calibration, band, bound, combined, json);
        }

        return 0;
    }

    /// <summary>Puts the proposal into <paramref name="write"/>: the threshold, the band's OK end (removed without a band), the bound.</summary>
    internal static void Write(string write, string product, ThresholdCalibration calibration, BandCalibration? band, OodCalibration? bound, bool combined, bool json)
    {
        // Without a band the one threshold is written and an older band removed, so its OK end cannot outlive its NG end.
        var values = new Dictionary<string, double?>(StringComparer.Ordinal);
        if (!(combined && band is not null))
        {
            values["Threshold"] = calibration.Threshold;
        }

        values["ThresholdOk"] = band?.Ok;
        if (bound is not null)
        {
            values["OodBound"] = bound.Bound;
        }

        var previous = ProductThresholdFile.Write(write, product, values);
        var c = CultureInfo.InvariantCulture;
        foreach (var (key, value) in values)
        {
            // With --json, stdout holds the record alone.
            (json ? Console.Error : Console.Out).WriteLine(string.Create(c,
                $"wrote {Path.GetFullPath(write)}: Products:{product}:{key} {previous[key] ?? "(unset)"} -> {value?.ToString("R", c) ?? "(unset)"}"));
        }
    }

    internal static string Describe(ThresholdCalibration k, double? current)
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

    internal static string DescribeBand(BandCalibration b)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Create(c, $"band       OK below {b.Ok:0.000000}, NG at or above {b.Ng:0.000000}, REVIEW UNCERTAIN between; target escape {b.TargetEscape * 100:0.###}%"),
            FiguresRow("  one threshold", b.Single),
            FiguresRow("  band", b.Band),
        };
        if (b.Warning is not null)
        {
            lines.Add("warning    " + b.Warning);
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string FiguresRow(string name, BandFigures f) => string.Create(CultureInfo.InvariantCulture,
        $"{name,-18}  escape {f.EscapeRate * 100,6:0.###}% ({f.Escapes})  overkill {f.OverkillRate * 100,6:0.###}% ({f.Overkill})  settled {f.Settled * 100,5:0.#}%  REVIEW {f.Review}");

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
        ScoreBand? band = null;
        foreach (var group in files)
        {
            var template = group.Where(f => f.Name!.Role == PairRole.Template).Select(f => f.Path).Order(StringComparer.Ordinal).FirstOrDefault();
            foreach (var image in group.Where(f => f.Name!.Role == PairRole.Image).Select(f => f.Path).Order(StringComparer.Ordinal))
            {
                var pair = new PairCandidate(image, group.Key.PairId, product, folder, image, template, TimeProvider.System.GetUtcNow(), new Dictionary<string, string>());
                var verdict = inspector.Inspect(pair);
                progress.Report(scores.Count + excluded.Count + 1);
                threshold ??= verdict.Threshold;
                band ??= verdict.Band;
                if (verdict.Ood is { } ood)
                {
                    // Beyond the bound or not, the template's distance is what the bound is on.
                    distances.Add(ood.Template);
                    bound ??= ood.Bound;
                }

                // A pair in an existing band (REVIEW UNCERTAIN) was scored like any other: its score is what a new band is set on.
                if (verdict.Score is { } score && (verdict.Outcome is VerdictKind.Ok or VerdictKind.Ng || verdict.Reason == ReasonCode.Uncertain))
                {
                    scores.Add(score);
                }
                else
                {
                    excluded.Add(verdict);
                }
            }
        }

        return new ScoredFolder(scores, excluded, distances, threshold, bound) { Band = band };
    }

    private sealed record ScoredFolder(List<double> Scores, List<Verdict> Excluded, List<double> Distances, double? Threshold = null, double? Bound = null)
    {
        /// <summary>The band in force for the product (ok = ng without one).</summary>
        public ScoreBand? Band { get; init; }
    }
}

/// <summary>The calibration record as <c>calibrate --json</c> prints it.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ThresholdCalibration))]
internal sealed partial class CalibrationJsonContext : JsonSerializerContext;
