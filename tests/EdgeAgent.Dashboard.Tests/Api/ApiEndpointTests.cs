using System.Net;
using System.Text.Json;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Dashboard.Tests.Api;

/// <summary>The JSON API and CSV export over a real log: filters, counts per hour and product, paging, quoting.</summary>
[Trait("Category", "Integration")]
public sealed class ApiEndpointTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 30, 0, TimeSpan.Zero);
    private DashboardRig _rig = null!;

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync(new FakeTimeProvider(Now));
        _rig.Log.Append(
        [
            (VerdictBuilder.Make("old", VerdictKind.Ng, Now.AddHours(-30), "UBM", 3.0), "k0"),
            (VerdictBuilder.Make("a", VerdictKind.Ok, Now.AddHours(-3), "UBM", 0.4), "k1"),
            (VerdictBuilder.Make("b", VerdictKind.Ng, Now.AddHours(-3).AddMinutes(5), "UBM", 2.0), "k2"),
            (VerdictBuilder.Make("c", VerdictKind.Ok, Now.AddHours(-2), "M1", 0.5), "k3"),
            (VerdictBuilder.Make("d", VerdictKind.Review, Now.AddHours(-2).AddMinutes(1), "M1", 0.9), "k4"),
            (VerdictBuilder.Make("e", VerdictKind.Error, Now.AddHours(-1), "UBM", null, "a \"quoted\", comma\nand a new line"), "k5"),
            (VerdictBuilder.Make("f", VerdictKind.Ng, Now.AddHours(-1).AddMinutes(2), "M1", 1.8), "k6"),
        ]);
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Stats_DefaultLast24Hours_CountsPerHourAndPerProduct()
    {
        using var stats = JsonDocument.Parse(await _rig.GetStringAsync("/api/stats"));
        var root = stats.RootElement;

        Assert.Equal((6, 2, 2, 1, 1), Counts(root.GetProperty("all")));
        Assert.Equal(
            ["2026-11-23 09:00 (2, 1, 1, 0, 0)", "2026-11-23 10:00 (2, 1, 0, 1, 0)", "2026-11-23 11:00 (2, 0, 1, 0, 1)"],
            root.GetProperty("perHour").EnumerateArray().Select(h => $"{h.GetProperty("key").GetString()} {Counts(h)}"));
        var m1 = root.GetProperty("perProduct").EnumerateArray().Single(p => p.GetProperty("key").GetString() == "M1");
        Assert.Equal((3, 1, 1, 1, 0), Counts(m1));
        Assert.Equal(33.3, m1.GetProperty("ngPercent").GetDouble(), 1);
        Assert.Equal(1.0, root.GetProperty("histogram").GetProperty("threshold").GetDouble());
        Assert.Equal(4, root.GetProperty("histogram").GetProperty("ok").EnumerateArray().Sum(b => b.GetInt32())
            + root.GetProperty("histogram").GetProperty("ng").EnumerateArray().Sum(b => b.GetInt32()));
    }

    [Theory]
    [InlineData("", "f,e,d,c,b,a")]
    [InlineData("?since=", "f,e,d,c,b,a,old")]
    [InlineData("?product=UBM&since=48h", "e,b,a,old")]
    [InlineData("?verdict=ng", "f,b")]
    [InlineData("?min=1&max=2.5", "f,b")]
    [InlineData("?max=0.45", "a")]
    [InlineData("?since=90m", "f,e")]
    [InlineData("?since=2026-11-23T09:40:00Z&until=2026-11-23T11:00:00Z", "d,c")]
    public async Task Verdicts_Filter_ExactlyTheMatchingVerdictsNewestFirst(string query, string expected)
    {
        using var page = JsonDocument.Parse(await _rig.GetStringAsync("/api/verdicts" + query));

        Assert.Equal(expected, string.Join(',', page.RootElement.GetProperty("verdicts").EnumerateArray().Select(v => v.GetProperty("id").GetString())));
    }

    [Fact]
    public async Task Verdicts_SmallPages_NextLinksWalkTheWholeSelectionOnce()
    {
        var ids = new List<string>();
        string? next = "/api/verdicts?since=&limit=3";
        while (next is not null)
        {
            using var page = JsonDocument.Parse(await _rig.GetStringAsync(next));
            ids.AddRange(page.RootElement.GetProperty("verdicts").EnumerateArray().Select(v => v.GetProperty("id").GetString()!));
            next = page.RootElement.GetProperty("next").GetString();
        }

        Assert.Equal(["f", "e", "d", "c", "b", "a", "old"], ids);
    }

    [Fact]
    public async Task Verdicts_BadFilter_400NamingIt()
    {
        using var response = await _rig.Http.GetAsync(new Uri("/api/verdicts?verdict=MAYBE&min=x", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("verdict must be OK, NG, REVIEW or ERROR, not 'MAYBE'", body, StringComparison.Ordinal);
        Assert.Contains("min score must be a number, not 'x'", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportCsv_CurrentFilter_LogsCsvColumnsWithRfc4180Quoting()
    {
        using var response = await _rig.Http.GetAsync(new Uri("/export.csv?product=UBM&limit=1", UriKind.Relative));
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        Assert.StartsWith(VerdictCsv.Header + "\n", csv, StringComparison.Ordinal);
        Assert.Contains(",ERROR,TRUNCATED,UBM,L1_S1_U1_e,", csv, StringComparison.Ordinal);
        // The detail, then the alignment, route, distance and lighting columns (empty: this verdict never reached a model)
        // and the decision columns (empty: nobody decided it).
        Assert.Contains(",\"a \"\"quoted\"\", comma\nand a new line\",,,,,,,,,,,,,,\n", csv, StringComparison.Ordinal);
        // The whole filter, not the page's one row: e, b and a (old is outside the default 24 h).
        Assert.Equal(["6", "3", "2"], csv.Split('\n').Skip(1).Where(l => l.Length > 0 && char.IsDigit(l[0])).Select(l => l.Split(',')[0]));
    }

    [Fact]
    public async Task ExportCsv_DecidedVerdicts_CarryTheirNewestDecisionInTheAppendedColumns()
    {
        _rig.Log.RecordDecision(new DecisionRequest("b", VerdictKind.Ok, null, "fine", "ana", "operator", false), Now.AddMinutes(-20));
        _rig.Log.RecordDecision(new DecisionRequest("b", VerdictKind.Ng, "scratch", null, "sam", "supervisor", true), Now.AddMinutes(-10));

        var csv = await _rig.GetStringAsync("/export.csv?product=UBM");

        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",NG,scratch,sam,supervisor,2026-11-23T12:20:00.000Z", rows.Single(r => r.StartsWith("3,b,", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.EndsWith(",,,,,", rows.Single(r => r.StartsWith("2,a,", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verdict_ById_PayloadAsPublishedAndNoHeatmapWhenNotScored()
    {
        using var detail = JsonDocument.Parse(await _rig.GetStringAsync("/api/verdicts/e"));

        Assert.Equal("ERROR", detail.RootElement.GetProperty("verdict").GetProperty("verdict").GetString());
        Assert.Equal("edgeagent.verdict/4", detail.RootElement.GetProperty("verdict").GetProperty("schema").GetString());
        Assert.Equal(JsonValueKind.Null, detail.RootElement.GetProperty("heatmap").ValueKind);
        using var missing = await _rig.Http.GetAsync(new Uri("/api/verdicts/nope", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Health_Api_TheAgentsJudgement()
    {
        _rig.Status.Status = _rig.Status.Status with { State = "degraded", Problems = ["not connected to the MQTT broker"] };

        using var health = JsonDocument.Parse(await _rig.GetStringAsync("/api/health"));

        Assert.Equal("degraded", health.RootElement.GetProperty("state").GetString());
        Assert.Equal("not connected to the MQTT broker", health.RootElement.GetProperty("problems")[0].GetString());
        Assert.Contains("degraded", await _rig.GetStringAsync("/"), StringComparison.Ordinal);
    }

    private static (int, int, int, int, int) Counts(JsonElement c) =>
        (c.GetProperty("pairs").GetInt32(), c.GetProperty("ok").GetInt32(), c.GetProperty("ng").GetInt32(), c.GetProperty("review").GetInt32(), c.GetProperty("error").GetInt32());
}
