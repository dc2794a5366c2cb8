using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Dashboard.Users;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Tests.Review;

/// <summary>
/// <c>POST /api/verdicts/{id}/decision</c> over a real dashboard, log and users file, as a script with a personal
/// bearer token calls it: every answer of the README's table, and what each leaves in the journal.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DecisionApiTests : IAsyncLifetime
{
    private DashboardRig _rig = null!;
    private string _operator = "";
    private string _supervisor = "";
    private string _technician = "";

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync();
        var now = DateTimeOffset.UtcNow;
        _rig.Log.Append(
        [
            (VerdictBuilder.Make("rev1", VerdictKind.Review, now.AddMinutes(-3), "UBM", 0.9), "k1"),
            (VerdictBuilder.Make("ok1", VerdictKind.Ok, now.AddMinutes(-2), "UBM", 0.4), "k2"),
            (VerdictBuilder.Make("ng1", VerdictKind.Ng, now.AddMinutes(-1), "M1", 2.0), "k3"),
        ]);
        var users = new UserAdministration(new UsersFile(Path.Combine(_rig.Temp.Sub("data"), "users.json")), TimeProvider.System);
        users.Add("olga", "operator", "olga's long password");
        users.Add("sam", "supervisor", "sam's long password");
        users.Add("tom", "technician", "tom's long password");
        (_operator, _supervisor, _technician) = (users.IssueToken("olga"), users.IssueToken("sam"), users.IssueToken("tom"));
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Decide_OperatorOnReviewVerdict_200StoredAuditedAndPending()
    {
        var (status, body) = await PostAsync(_operator, "rev1", """{"decision":"NG","defectClass":"scratch","comment":"hairline"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var answered = JsonSerializer.Deserialize(body, DecisionJsonContext.Default.OperatorDecision)!;
        var stored = _rig.Log.DecisionOf("rev1")!;
        Assert.Equal((answered.DecisionId, VerdictKind.Review, VerdictKind.Ng, "scratch", "hairline", "olga", "operator", false),
            (stored.DecisionId, stored.AiVerdict, stored.Decision, stored.DefectClass, stored.Comment, stored.By, stored.Role, stored.Override));
        Assert.Contains(_rig.Log.PendingDecisions(10), p => p.DecisionId == stored.DecisionId);
        Assert.Contains(_rig.Log.AuditTrail(10), a => a.Action == "decided" && a.Actor == "olga" && a.Detail.Contains("REVIEW -> NG", StringComparison.Ordinal));
        Assert.DoesNotContain(_rig.Log.ReviewQueue(10), q => q.Verdict.Id == "rev1");
    }

    [Fact]
    public async Task Decide_Technician_403AndNothingStored()
    {
        var (status, _) = await PostAsync(_technician, "rev1", """{"decision":"OK"}""");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Null(_rig.Log.DecisionOf("rev1"));
    }

    [Fact]
    public async Task Decide_UnknownVerdict_404Audited()
    {
        var (status, _) = await PostAsync(_operator, "no-such-id", """{"decision":"OK"}""");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains(_rig.Log.AuditTrail(10), a => a.Action == "decision-refused" && a.Detail.StartsWith("404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Decide_SecondDecision_409UnlessASupervisorOverrides()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_operator, "ng1", """{"decision":"OK"}""")).Status);

        var again = await PostAsync(_operator, "ng1", """{"decision":"NG"}""");
        var operatorOverride = await PostAsync(_operator, "ng1", """{"decision":"NG","override":true}""");
        var supervisorOverride = await PostAsync(_supervisor, "ng1", """{"decision":"NG","defectClass":"particle","override":true}""");

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("olga", again.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, operatorOverride.Status);
        Assert.Equal(HttpStatusCode.OK, supervisorOverride.Status);
        var latest = _rig.Log.DecisionOf("ng1")!;
        Assert.Equal((VerdictKind.Ng, "sam", true), (latest.Decision, latest.By, latest.Override));
        var today = latest.JudgedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var kpi = Assert.Single(_rig.Log.Kpis(KpiCalendar.Utc, today, today), k => k.Product == "M1");
        Assert.Equal((1L, 1L, 1L, 0L), (kpi.Decisions, kpi.Compared, kpi.Agreed, kpi.OverkillConfirmed)); // the override replaced the first decision
    }

    [Theory]
    [InlineData("""{"decision":"MAYBE"}""")]
    [InlineData("""{"decision":"NG","defectClass":"no-such-class"}""")]
    [InlineData("""{"decision":"OK","defectClass":"scratch"}""")]
    [InlineData("""{"decision":"NG","unexpected":1}""")]
    [InlineData("""{"decision":"NG","comment":"bell\u0007"}""")]
    [InlineData("not json")]
    public async Task Decide_BadBody_400AndNothingStored(string json)
    {
        var (status, body) = await PostAsync(_operator, "ok1", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrWhiteSpace(body));
        Assert.Null(_rig.Log.DecisionOf("ok1"));
    }

    [Fact]
    public async Task Decide_BodyOverFourKilobytes_413()
    {
        var (status, _) = await PostAsync(_operator, "ok1", $$"""{"decision":"OK","comment":"{{new string('x', 5000)}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Null(_rig.Log.DecisionOf("ok1"));
    }

    [Fact]
    public async Task Decide_WithoutLogin_401()
    {
        var (status, _) = await PostAsync(null, "ok1", """{"decision":"OK"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Null(_rig.Log.DecisionOf("ok1"));
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string? token, string id, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/verdicts/{id}/decision", UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _rig.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
