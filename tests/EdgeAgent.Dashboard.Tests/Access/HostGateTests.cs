using System.Net;
using EdgeAgent.Dashboard.Tests.Support;

namespace EdgeAgent.Dashboard.Tests.Access;

/// <summary>
/// DNS rebinding over real HTTP: a request is served only when its Host is an IP address, localhost or one of
/// <c>Dashboard:AllowedHosts</c>; any other name gets 400 on every path, the Prometheus scrape included.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostGateTests : IAsyncLifetime
{
    private DashboardRig _rig = null!;

    public async Task InitializeAsync() => _rig = await DashboardRig.StartAsync(configure: o =>
    {
        o.AllowedHosts.Add("aoi-box.plant.local");
        o.AllowedHosts.Add("*.line3.local");
    });

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("evil.example", "/")]
    [InlineData("evil.example", "/api/health")]
    [InlineData("evil.example", "/metrics")]
    [InlineData("evil.example", "/login")]
    [InlineData("evil.example:8080", "/api/verdicts")]
    [InlineData("aoi-box.plant.local.evil.example", "/api/health")]
    [InlineData("line3.local", "/api/health")]
    [InlineData("localhost.evil.example", "/api/health")]
    [InlineData("0x7f.1", "/api/health")]
    public async Task Request_HostNotAllowed_Refused400(string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = host } };

        using var response = await _rig.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Host not allowed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost:8080")]
    [InlineData("LOCALHOST")]
    [InlineData("[::1]:8080")]
    [InlineData("192.168.10.20:8080")]
    [InlineData("aoi-box.plant.local")]
    [InlineData("AOI-BOX.plant.local:8080")]
    [InlineData("station7.line3.local")]
    public async Task Request_HostAllowed_Served(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health") { Headers = { Host = host } };

        using var response = await _rig.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
