using System.Globalization;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Drift;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Dashboard.Tests.Pages;

/// <summary>
/// The trend page of a product from a real log: verdicts whose lighting jumps, the charts and events the control rule
/// stored beside them, and pairs the real inspector judged (which carry their photometry).
/// </summary>
[Trait("Category", "Integration")]
public sealed class DriftPageTests : IAsyncLifetime
{
    private DashboardRig _rig = null!;

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync();
        // Within the overview's default time range.
        var stored = _rig.Log.Append([.. DriftingVerdicts.Stream(150, shiftAt: 100, gain: 1.3, start: DateTimeOffset.UtcNow.AddHours(-1)).Select(v => (v, "k/" + v.PairId))]);
        var detector = new DriftDetector(DashboardRig.DriftOptions, stored[0].Station, new VerdictIdGenerator(new FakeTimeProvider()), []);
        var step = detector.Observe(stored);
        _rig.Log.AppendDrift(step.Events, detector.Products);
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Drift_DriftingProduct_EverySeriesWithItsLimitsAndTheAlarm()
    {
        var page = await _rig.GetStringAsync("/drift/UBM");

        Assert.Contains("id=\"drift-state\">Drifting: brightness since", page, StringComparison.Ordinal);
        foreach (var series in new[] { "score", "alignConfidence", "brightness", "contrast" })
        {
            var svg = Between(page, $"<svg id=\"trend-{series}\"", "</svg>");
            Assert.Equal(2, Count(svg, "class=\"limit\"")); // upper and lower
            Assert.Contains("class=\"ewma\"", svg, StringComparison.Ordinal);
            Assert.Equal(150, Count(svg, "<circle"));
        }

        Assert.Contains("class=\"quantile\"", Between(page, "<svg id=\"trend-score\"", "</svg>"), StringComparison.Ordinal);
        Assert.Contains("Not carried by this product", Between(page, "OOD distance, template", "</section>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_PerProductTable_LinksEachProductsTrendPage()
    {
        var page = await _rig.GetStringAsync("/");

        Assert.Contains("href=\"/drift/UBM\"", Between(page, "id=\"per-product\"", "</table>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_ProductNeverJudged_SaysSoInsteadOfFailing()
    {
        var page = await _rig.GetStringAsync("/drift/NOPE");

        Assert.Contains("No reference yet", page, StringComparison.Ordinal);
        Assert.Contains("No judged pair of this product", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Judge_RealPairs_CarryTheirLightingToTheDetailPageAndTheExport()
    {
        var judged = JudgedPairs.Judge(_rig.Log, _rig.Watched, count: 2);

        Assert.All(judged, j => Assert.InRange(j.Verdict.Photometry!.Brightness, 0.5, 2.0));
        Assert.All(judged, j => Assert.InRange(j.Verdict.Photometry!.Contrast, 0.3, 3.0));
        var photometry = judged[0].Verdict.Photometry!;
        var detail = await _rig.GetStringAsync($"/verdicts/{judged[0].Verdict.Id}");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"brightness {photometry.Brightness:0.000}, contrast {photometry.Contrast:0.000}"), detail, StringComparison.Ordinal);
        var csv = await _rig.GetStringAsync($"/export.csv?product={judged[0].Verdict.Product}&since=3650d");
        Assert.Contains(",brightness,contrast,", csv.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $",{photometry.Brightness:R},{photometry.Contrast:R}"), csv, StringComparison.Ordinal);
    }

    private static string Between(string text, string from, string to)
    {
        var start = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {from}");
        var end = text.IndexOf(to, start, StringComparison.Ordinal);
        return text[start..end];
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
}
