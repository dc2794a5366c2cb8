using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using EdgeAgent.Dashboard.Access;
using EdgeAgent.Dashboard.Tests.Support;

namespace EdgeAgent.Dashboard.Tests.Access;

/// <summary>
/// A dashboard with the shared token, over real HTTP: refused without it (pages go to the login form), accepted as a
/// bearer header, a link or its cookie, and read-only.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SharedTokenTests : IAsyncLifetime
{
    private const string Token = "0123456789abcdef-line3";
    private DashboardRig _rig = null!;

    public async Task InitializeAsync() => _rig = await DashboardRig.StartAsync(configure: o => (o.Urls, o.Token) = ("http://0.0.0.0:0", Token));

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("/api/verdicts")]
    [InlineData("/export.csv")]
    public async Task Request_NoToken_RefusedWithHowToGetIn(string path)
    {
        using var response = await _rig.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("/?token=", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_NoToken_RedirectsToTheLoginForm()
    {
        using var response = await _rig.Http.GetAsync(new Uri("/drift/p1?x=1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?return=%2Fdrift%2Fp1%3Fx%3D1", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Stylesheet_NoToken_ServedForTheLoginPage()
    {
        using var response = await _rig.Http.GetAsync(new Uri("/static/dashboard.css", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Post_SharedToken_ForbiddenBecauseReadOnly()
    {
        using var other = new HttpRequestMessage(HttpMethod.Post, "/api/verdicts") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };

        using var response = await _rig.Http.SendAsync(other);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("read-only", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789abcdef-line4")]
    [InlineData("short")]
    [InlineData("0123456789abcdef-line3-and-more")]
    public async Task Request_WrongToken_Refused(string wrong)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", wrong) } };
        request.Headers.Add("Cookie", $"{SharedToken.CookieName}={wrong}");

        using var response = await _rig.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Request_BearerToken_Accepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };

        using var response = await _rig.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"state\":\"healthy\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_TokenInLink_SetsTheCookieAndRedirectsWithoutTheToken()
    {
        using var first = await _rig.Http.GetAsync(new Uri($"/models?token={Token}&x=1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/models?x=1", first.Headers.Location?.OriginalString);
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/models?x=1");
        again.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var response = await _rig.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Audit trail", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Token")]
    [InlineData("TOKEN")]
    [InlineData("tOkEn")]
    public async Task Request_TokenInLinkInAnyCase_RedirectsWithoutTheTokenSoItDoesNotLoop(string key)
    {
        using var first = await _rig.Http.GetAsync(new Uri($"/models?{key}={Token}&x=1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/models?x=1", first.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("///evil.example/")]
    [InlineData("//evil.example")]
    public async Task Request_TokenInLinkOnAPathThatNamesAnotherHost_RedirectsHomeNotThere(string path)
    {
        // HttpClient would resolve "//evil.example/" against its base as another host: the request line is written by hand.
        using var client = new TcpClient();
        await client.ConnectAsync(_rig.Http.BaseAddress!.Host, _rig.Http.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path}?token={Token}&x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 302", response, StringComparison.Ordinal);
        Assert.Contains("\r\nLocation: /?x=1\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_AnyInterfaceWithToken_Serves() =>
        Assert.StartsWith("http://", Assert.Single(_rig.Server.Addresses), StringComparison.Ordinal);
}
