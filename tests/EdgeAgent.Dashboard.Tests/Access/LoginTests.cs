using System.Net;
using System.Net.Http.Headers;
using EdgeAgent.Dashboard.Access;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Dashboard.Users;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Dashboard.Tests.Access;

/// <summary>
/// Local accounts over real HTTP against a real dashboard and <c>users.json</c>: the login form, session cookies,
/// anti-forgery, the throttle, roles and personal tokens. The dashboard also has a shared token, so a caller
/// without a session is not let in anonymously.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LoginTests : IAsyncLifetime
{
    private const string SharedTokenValue = "0123456789abcdef-line3";
    private const string Password = "correct horse battery";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
    private DashboardRig _rig = null!;
    private UserAdministration _users = null!;
    private DashboardSession _session = null!;

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync(_time, o => o.Token = SharedTokenValue);
        _users = new UserAdministration(new UsersFile(_rig.UsersFile), TimeProvider.System);
        _users.Add("olga", "operator", Password);
        _users.Add("tom", "technician", Password);
        _users.Add("sue", "supervisor", Password);
        _session = new DashboardSession(_rig.Http.BaseAddress!);
    }

    public async Task DisposeAsync()
    {
        _session.Dispose();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Login_RightPassword_SetsAnHttpOnlyStrictSessionCookieAndShowsTheUser()
    {
        using var response = await _session.LoginAsync("olga", Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("edgeagent_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var page = await _session.Http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<span id=\"user-name\">olga</span> <span class=\"role\">operator</span>", page, StringComparison.Ordinal);
        Assert.Contains("id=\"logout\"", page, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"csrf-token\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<a href=\"/models\">", page, StringComparison.Ordinal);
        Assert.Contains(_rig.Log.AuditTrail(10), a => a.Action == "login" && a.Actor == "olga");
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/\t/evil.example/")]
    [InlineData("evil.example")]
    public async Task Login_ReturnToAnotherSite_RedirectsHomeInstead(string back)
    {
        var form = await _session.CsrfAsync($"/login?return={Uri.EscapeDataString(back)}");
        using var page = await _session.Http.GetAsync(new Uri($"/login?return={Uri.EscapeDataString(back)}", UriKind.Relative));
        Assert.DoesNotContain("evil", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var response = await _session.PostFormAsync("/login", new() { ["name"] = "olga", ["password"] = Password, ["return"] = back, ["__csrf"] = form });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Login_ReturnToAPageOfTheDashboard_RedirectsThere()
    {
        using var response = await _session.PostFormAsync("/login", new() { ["name"] = "olga", ["password"] = Password, ["return"] = "/drift/p1?x=1", ["__csrf"] = await _session.CsrfAsync() });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/drift/p1?x=1", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Login_WrongPassword_RefusedAndAuditedWithoutThePassword()
    {
        using var response = await _session.LoginAsync("olga", "wrong password 123");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Wrong user name or password", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith("edgeagent_session=", StringComparison.Ordinal));
        var audit = Assert.Single(_rig.Log.AuditTrail(10), a => a.Action == "login-failed");
        Assert.Equal("olga", audit.Actor);
        Assert.DoesNotContain("wrong password 123", audit.Detail, StringComparison.Ordinal);
        using var unknown = await _session.LoginAsync("nobody", Password);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task Login_AfterFiveFailures_LockedEvenWithTheRightPasswordUntilTheLockoutEnds()
    {
        for (var i = 0; i < LoginThrottle.FreeFailures; i++)
        {
            using var failed = await _session.LoginAsync("olga", "wrong password 123");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var locked = await _session.LoginAsync("olga", Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), locked.Headers.RetryAfter?.Delta);
        Assert.Contains(_rig.Log.AuditTrail(10), a => a.Action == "login-failed" && a.Detail.Contains("locked for 30 s", StringComparison.Ordinal));
        _time.Advance(TimeSpan.FromSeconds(31));
        using var later = await _session.LoginAsync("olga", Password);
        Assert.Equal(HttpStatusCode.Redirect, later.StatusCode);
    }

    [Theory]
    [InlineData("olga\r\nadmin")]
    [InlineData("olga\u0000")]
    [InlineData("\u202Eagl")]
    public async Task Login_NameWithControlCharacters_RefusedAndAudited(string name)
    {
        using var response = await _session.LoginAsync(name, Password);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("control characters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // NUL never reaches the login code: the form reader refuses it, and the gate answers for it.
        var audit = Assert.Single(_rig.Log.AuditTrail(10), a => a.Action is "login-refused" or "request-refused");
        Assert.DoesNotContain(audit.Actor, c => char.IsControl(c));
    }

    [Fact]
    public async Task Login_WithoutAntiforgeryToken_Refused()
    {
        using var response = await _session.PostFormAsync("/login", new() { ["name"] = "olga", ["password"] = Password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("anti-forgery token is missing or wrong", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_FormOverTheBodyLimit_RefusedAs413()
    {
        using var response = await _session.PostFormAsync("/login", new() { ["name"] = "olga", ["password"] = new string('x', 20_000), ["__csrf"] = await _session.CsrfAsync() });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Post_SessionWithoutAntiforgeryToken_RefusedAndAuditedWithIt_SignsOut()
    {
        (await _session.LoginAsync("olga", Password)).Dispose();

        using var forged = await _session.PostFormAsync("/logout", []);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains(_rig.Log.AuditTrail(10), a => a.Action == "csrf-refused" && a.Actor == "olga");
        using var wrongHeader = new HttpRequestMessage(HttpMethod.Post, "/logout") { Headers = { { DashboardAccess.AntiforgeryHeader, "not-the-token" } } };
        Assert.Equal(HttpStatusCode.BadRequest, (await _session.Http.SendAsync(wrongHeader)).StatusCode);

        using var header = new HttpRequestMessage(HttpMethod.Post, "/logout") { Headers = { { DashboardAccess.AntiforgeryHeader, await _session.CsrfAsync("/") } } };
        using var logout = await _session.Http.SendAsync(header);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        using var after = await _session.Http.GetAsync(new Uri("/api/verdicts", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Session_IdleLongerThanItsLifetime_ExpiredToLoginForPagesAnd401ForApi()
    {
        (await _session.LoginAsync("olga", Password)).Dispose();
        using var fresh = await _session.Http.GetAsync(new Uri("/api/verdicts", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);

        _time.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));

        using var api = await _session.Http.GetAsync(new Uri("/api/verdicts", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        using var page = await _session.Http.GetAsync(new Uri("/drift/p1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login?return=%2Fdrift%2Fp1", page.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Session_UserRemoved_EndsAtTheNextRequest()
    {
        (await _session.LoginAsync("olga", Password)).Dispose();

        _users.Remove("olga");

        using var response = await _session.Http.GetAsync(new Uri("/api/verdicts", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("olga", "/models", HttpStatusCode.Forbidden)]
    [InlineData("olga", "/api/models", HttpStatusCode.Forbidden)]
    [InlineData("olga", "/", HttpStatusCode.OK)]
    [InlineData("tom", "/models", HttpStatusCode.OK)]
    [InlineData("sue", "/models", HttpStatusCode.OK)]
    public async Task ModelPages_ByRole_OperatorsForbidden(string user, string path, HttpStatusCode expected)
    {
        (await _session.LoginAsync(user, Password)).Dispose();

        using var response = await _session.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task PersonalToken_Bearer_ReadsAndIsHeldToItsRole()
    {
        var operatorToken = _users.IssueToken("olga");
        var technicianToken = _users.IssueToken("tom");

        Assert.Equal(HttpStatusCode.OK, await Get("/api/verdicts", operatorToken));
        Assert.Equal(HttpStatusCode.Forbidden, await Get("/api/models", operatorToken));
        Assert.Equal(HttpStatusCode.OK, await Get("/api/models", technicianToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get("/api/verdicts", operatorToken + "x"));
        _users.IssueToken("olga");
        Assert.Equal(HttpStatusCode.Unauthorized, await Get("/api/verdicts", operatorToken));
    }

    [Fact]
    public async Task SharedToken_GetAllowed_PostForbidden()
    {
        Assert.Equal(HttpStatusCode.OK, await Get("/api/models", SharedTokenValue));

        using var post = new HttpRequestMessage(HttpMethod.Post, "/") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", SharedTokenValue) } };
        using var response = await _rig.Http.SendAsync(post);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Anonymous_LoopbackWithoutToken_ReadsButCannotChange()
    {
        await using var open = await DashboardRig.StartAsync();

        using var read = await open.Http.GetAsync(new Uri("/api/verdicts", UriKind.Relative));
        using var change = await open.Http.PostAsync(new Uri("/", UriKind.Relative), new StringContent(""));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, change.StatusCode);
    }

    private async Task<HttpStatusCode> Get(string path, string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", bearer) } };
        using var response = await _rig.Http.SendAsync(request);
        return response.StatusCode;
    }
}
