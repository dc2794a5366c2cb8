using System.Globalization;
using System.Text.Json;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Score;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent calibrate --decisions</c>: the product's threshold (and band) proposed from operators' decisions alone:
/// each decided pair's score as the box judged it, labelled by the person. Only the decisions about pairs the newest
/// decided pair's model (name, version, combination) judged count, since another model's scores are on another scale.
/// </summary>
internal static class DecisionCalibration
{
    /// <summary>Fewest decided OK pairs a threshold is proposed from (below it the OK tail is guesswork).</summary>
    public const int MinOk = 30;

    /// <summary>Fewest decided NG pairs a band is proposed from.</summary>
    public const int MinNg = 10;

    public static int Run(string product, double targetOverkill, double? targetEscape, string since, string? dataDir, string? configFile, string? write, bool json)
    {
        if (targetOverkill is not (>= 0 and < 1) || targetEscape is not (null or (>= 0 and < 1)))
        {
            throw new UsageException("Options --target-overkill and --target-escape must lie in [0, 1).");
        }

        var from = CliOptions.Time(since, TimeProvider.System.GetUtcNow(), "since");
        using var options = VerbOptions.Read(configFile);
        var storage = options.Get<VerdictLogOptions>();
        storage.DataDirectory = dataDir ?? storage.DataDirectory;
        using var log = VerdictLog.OpenReadOnly(storage.DatabasePath);
        // Newest first; a supervisor's override replaces the first decision about the same pair.
        var decided = log.Decisions(from, null, product, int.MaxValue).DistinctBy(d => d.Id)
            .Select(d => (Decision: d.Decision, Verdict: log.Get(d.Id)?.Verdict))
            .Where(x => x.Verdict is { Score: not null, Model: not null } && x.Decision is VerdictKind.Ok or VerdictKind.Ng)
            .ToList();
        var c = CultureInfo.InvariantCulture;
        if (decided.Count == 0)
        {
            Console.Error.WriteLine($"edgeagent: calibrate: no decided, scored pair of product {product} since {from:u}.");
            return 1;
        }

        var newest = decided[0].Verdict!;
        var same = decided.Where(x => x.Verdict!.Model!.Name == newest.Model!.Name && x.Verdict.Model.Version == newest.Model.Version && x.Verdict.Combine == newest.Combine).ToList();
        var ok = same.Where(x => x.Decision == VerdictKind.Ok).Select(x => x.Verdict!.Score!.Value).ToList();
        var ng = same.Where(x => x.Decision == VerdictKind.Ng).Select(x => x.Verdict!.Score!.Value).ToList();
        if (ok.Count < MinOk || (targetEscape is not null && ng.Count < MinNg))
        {
            Console.Error.WriteLine(string.Create(c,
                $"edgeagent: calibrate: not enough decisions for product {product} judged by {newest.Model!.Name} {newest.Model.Version}: {ok.Count} OK and {ng.Count} NG since {from:u}; a threshold needs {MinOk} decided OK, a band also {MinNg} decided NG."));
            return 1;
        }

        var calibration = ThresholdCalibration.Calibrate(ok, ng, targetOverkill);
        var combined = newest.Combine is not null;
        var band = targetEscape is { } escape && ng.Count > 0 ? BandCalibration.Propose(ok, ng, combined ? 1.0 : calibration.Threshold, escape) : null;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(calibration with { Band = band }, CalibrationJsonContext.Default.ThresholdCalibration));
        }
        else
        {
            Console.WriteLine(string.Create(c, $"product {product}, model {newest.Model!.Name} {newest.Model.Version}: {ok.Count} OK and {ng.Count} NG decided by people since {from:u} ({decided.Count - same.Count} about other models left out)"));
            Console.WriteLine(CalibrateVerb.Describe(calibration, newest.Threshold));
            if (band is not null)
            {
                Console.WriteLine(CalibrateVerb.DescribeBand(band));
            }
        }

        if (write is not null)
        {
            CalibrateVerb.Write(write, product, calibration, band, bound: null, combined, json);
        }

        return 0;
    }
}
