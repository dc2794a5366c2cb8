using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Dashboard.Tests.Pages;

/// <summary>The KPI page and <c>/api/kpis</c> over a real log with people's decisions, as a supervisor reads them.</summary>
[Trait("Category", "Integration")]
public sealed partial class KpiPageTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 30, 0, TimeSpan.Zero);
    private DashboardRig _rig = null!;

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync(new FakeTimeProvider(Now));
        _rig.Log.Append(
        [
            (VerdictBuilder.Make("y1", VerdictKind.Ng, Now.AddDays(-1), "UBM", 3.0), "k0"),
            (VerdictBuilder.Make("a", VerdictKind.Ok, Now.AddHours(-3), "UBM", 0.4), "k1"),
            (VerdictBuilder.Make("b", VerdictKind.Ok, Now.AddHours(-3), "UBM", 0.5), "k2"),
            (VerdictBuilder.Make("c", VerdictKind.Ng, Now.AddHours(-2), "UBM", 2.0), "k3"),
            (VerdictBuilder.Make("d", VerdictKind.Review, Now.AddHours(-2), "UBM", 0.9), "k4"),
            (VerdictBuilder.Make("e", VerdictKind.Review, Now.AddHours(-1), "UBM", 0.9), "k5"),
            (VerdictBuilder.Make("f", VerdictKind.Error, Now.AddHours(-1), "UBM"), "k6"),
            (VerdictBuilder.Make("g", VerdictKind.Ok, Now.AddHours(-1), "M1", 0.2), "k7"),
        ]);
        Decide("a", VerdictKind.Ng); // escape found
        Decide("b", VerdictKind.Ok); // agreed
        Decide("c", VerdictKind.Ok); // overkill confirmed
        Decide("d", VerdictKind.Ok); // REVIEW ended OK; e stays in the queue
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Kpis_Today_TilesPerProductWithTheQueueLength()
    {
        var page = await _rig.GetStringAsync("/kpis");

        Assert.Contains("Today (2026-11-23, UTC day)", page, StringComparison.Ordinal);
        Assert.Equal("1", Value(page, "id=\"queue-length\""));
        var ubm = Between(page, "<div class=\"kpi-product\" data-product=\"UBM\">", "</div></div>");
        Assert.Equal(
            ["suspects 6", "settled 50.0 %", "escapes 1", "overkill 1", "agreement 33.3 %", "review-ok 100.0 %"],
            TileValue().Matches(ubm).Select(m => $"{m.Groups[1].Value} {WebUtility.HtmlDecode(m.Groups[2].Value)}"));
        var m1 = Between(page, "<div class=\"kpi-product\" data-product=\"M1\">", "</div></div>");
        Assert.Contains("data-kpi=\"agreement\">–<", m1, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kpis_Last30Days_OneStackedChartPerProductAndTheSettledShareLine()
    {
        var page = await _rig.GetStringAsync("/kpis");

        var ubm = Between(page, "<section class=\"kpi-chart\" data-product=\"UBM\">", "</svg>");
        Assert.Equal(30, Count(ubm, "<g class=\"day\""));
        Assert.Contains("data-day=\"2026-10-25\"", ubm, StringComparison.Ordinal);
        Assert.Contains("2026-11-23: 6 suspects, 2 OK, 1 NG, 2 REVIEW, 1 ERROR; settled 50.0 %", ubm, StringComparison.Ordinal);
        Assert.Equal(["ok", "ng", "review", "error"], RectClass().Matches(Between(ubm, "data-day=\"2026-11-23\"", "</g>")).Select(m => m.Groups[1].Value));
        Assert.Empty(RectClass().Matches(Between(ubm, "data-day=\"2026-11-21\"", "</g>")));
        Assert.Equal(2, Count(Between(ubm, "<polyline class=\"settled\"", "</polyline>"), ",")); // two days with suspects, one point each
        Assert.Contains("<tr data-day=\"2026-11-22\" data-product=\"UBM\">", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/kpis\"", page, StringComparison.Ordinal); // the navigation names the page
    }

    [Fact]
    public async Task Kpis_LocalDaysAndBadCalendar_LocalCountsTheSamePairsAndAMistakeIsNamed()
    {
        var local = await _rig.GetStringAsync("/kpis?calendar=local");
        using var refused = await _rig.Http.GetAsync(new Uri("/kpis?calendar=mars&from=yesterday", UriKind.Relative));
        var wrong = await refused.Content.ReadAsStringAsync();

        Assert.Contains("local day)", local, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("calendar must be utc or local, not &#39;mars&#39;", wrong, StringComparison.Ordinal);
        Assert.Contains("from must be a day written yyyy-MM-dd, not &#39;yesterday&#39;", wrong, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await _rig.GetStringAsync("/api/kpis?calendar=local"));
        Assert.Equal(8, json.RootElement.GetProperty("days").EnumerateArray().Sum(d => d.GetProperty("suspects").GetInt64()));
    }

    [Fact]
    public async Task ApiKpis_Range_EveryDayAndProductWithTheRatesAndTheQueue()
    {
        using var json = JsonDocument.Parse(await _rig.GetStringAsync("/api/kpis?calendar=utc&from=2026-11-22&to=2026-11-23"));
        var root = json.RootElement;

        Assert.Equal(("utc", "2026-11-22", "2026-11-23", "2026-11-23"), (Text(root, "calendar"), Text(root, "from"), Text(root, "to"), Text(root, "today")));
        Assert.Equal(["2026-11-22 UBM", "2026-11-23 UBM", "2026-11-23 M1"], root.GetProperty("days").EnumerateArray().Select(d => $"{Text(d, "day")} {Text(d, "product")}"));
        var today = root.GetProperty("days")[1];
        Assert.Equal((6, 2, 1, 2, 1, 4), (Long(today, "suspects"), Long(today, "ok"), Long(today, "ng"), Long(today, "review"), Long(today, "error"), Long(today, "decisions")));
        Assert.Equal((1, 1, 1, 1), (Long(today, "escapes"), Long(today, "overkillConfirmed"), Long(today, "reviewDecided"), Long(today, "reviewOk")));
        Assert.Equal(0.5, today.GetProperty("settledShare").GetDouble(), 6);
        Assert.Equal(1.0 / 3, today.GetProperty("agreement").GetDouble(), 6);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("days")[2].GetProperty("agreement").ValueKind);
        Assert.Equal((1, 0), (root.GetProperty("queue").GetProperty("review").GetInt32(), root.GetProperty("queue").GetProperty("spotChecks").GetInt32()));
    }

    [Theory]
    [InlineData("?calendar=mars", "calendar must be utc or local, not 'mars'")]
    [InlineData("?from=2026-11-23&to=2026-11-01", "from (2026-11-23) is after to (2026-11-01)")]
    [InlineData("?to=23.11.2026", "to must be a day written yyyy-MM-dd, not '23.11.2026'")]
    [InlineData("?from=2020-01-01&to=2026-11-23", "at most 366 days at once")]
    public async Task ApiKpis_BadQuery_400NamingIt(string query, string error)
    {
        using var response = await _rig.Http.GetAsync(new Uri("/api/kpis" + query, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(error, body, StringComparison.Ordinal);
    }

    private void Decide(string id, VerdictKind decision) =>
        Assert.Equal(DecisionStatus.Stored, _rig.Log.RecordDecision(new DecisionRequest(id, decision, null, null, "ana", "operator", false), Now).Status);

    private static string Value(string page, string marker) => Between(page, marker + ">", "<")[(marker.Length + 1)..];

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static long Long(JsonElement e, string name) => e.GetProperty(name).GetInt64();

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"'{start}' not found");
        var to = text.IndexOf(end, from + start.Length, StringComparison.Ordinal);
        return text[from..(to < 0 ? text.Length : to)];
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    [GeneratedRegex("data-kpi=\"([a-z-]+)\">([^<]*)<")]
    private static partial Regex TileValue();

    [GeneratedRegex("<rect class=\"([a-z]+)\"")]
    private static partial Regex RectClass();
}
