using System.Net;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Dashboard.Tests.Data;

/// <summary>
/// Times at the ends of the calendar (a probe's <c>since=0001-01-01</c>, <c>until=9999-12-31</c>) are refused with a
/// 400 naming the bound on every filtered page and API call, never a 500.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DashboardFilterExtremeDateTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 30, 0, TimeSpan.Zero);
    private DashboardRig _rig = null!;

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync(new FakeTimeProvider(Now));
        _rig.Log.Append([(VerdictBuilder.Make("a", VerdictKind.Ok, Now.AddHours(-1), "UBM", 0.4), "k1")]);
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("/?since=0001-01-01")]
    [InlineData("/?since=&until=9999-12-31")]
    [InlineData("/api/verdicts?since=0001-01-01")]
    [InlineData("/api/verdicts?since=0001-01-01&until=9999-12-31")]
    [InlineData("/api/stats?until=9999-12-31T23:59:59Z")]
    [InlineData("/api/stats?since=0001-01-01")]
    [InlineData("/export.csv?since=0001-01-01&until=9999-12-31")]
    public async Task ExtremeDates_FilteredPagesAndApi_400NamingTheBound(string path)
    {
        using var response = await _rig.Http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("between 1970-01-01 and 2999-12-31", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/kpis?from=0001-01-01&to=0001-01-02")]
    [InlineData("/api/kpis?from=9999-12-30&to=9999-12-31")]
    [InlineData("/api/kpis?to=0001-01-01")]
    [InlineData("/kpis?from=0001-01-01&to=0001-01-02")]
    [InlineData("/kpis?from=9999-12-30&to=9999-12-31")]
    public async Task ExtremeDays_Kpis_400NamingTheBound(string path)
    {
        using var response = await _rig.Http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("between 1970-01-01 and 2999-12-31", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelativeTimeFarBack_MeansEverything_NotAnError()
    {
        using var response = await _rig.Http.GetAsync(new Uri("/api/verdicts?since=100000d", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"a\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
