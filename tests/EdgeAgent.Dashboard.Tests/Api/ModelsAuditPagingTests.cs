using System.Net;
using System.Text.Json;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Storage.Audit;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Dashboard.Tests.Api;

/// <summary>
/// <c>/models</c> and <c>/api/models</c> over a real log whose audit trail an MQTT flood filled (issue 17, hole 2):
/// pages of 200 rows, <c>?before=</c> to go back, and responses that stay small whatever the rows claimed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ModelsAuditPagingTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 30, 0, TimeSpan.Zero);
    private DashboardRig _rig = null!;

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync(new FakeTimeProvider(Now));
        var huge = new string('x', 10 * 1024 * 1024);
        for (var i = 0; i < 5; i++)
        {
            _rig.Log.RecordAudit(new AuditEntry(Now, "rolled-back", huge, "stpm-a", null, null, huge));
        }

        for (var i = 0; i < 245; i++)
        {
            _rig.Log.RecordAudit(new AuditEntry(Now.AddSeconds(i), "rejected", "transfer t", null, null, null, $"row {i}"));
        }
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task ApiModels_TrailOverOnePage_NewestTwoHundredThenTheRestViaNextBefore()
    {
        var first = await _rig.GetStringAsync("/api/models");
        using var page1 = JsonDocument.Parse(first);
        var next = page1.RootElement.GetProperty("nextBefore").GetInt64();
        using var page2 = JsonDocument.Parse(await _rig.GetStringAsync($"/api/models?before={next}"));

        var rows1 = page1.RootElement.GetProperty("audit").EnumerateArray().ToList();
        var rows2 = page2.RootElement.GetProperty("audit").EnumerateArray().ToList();
        Assert.Equal((200, 50), (rows1.Count, rows2.Count));
        Assert.Equal("row 244", rows1[0].GetProperty("detail").GetString());
        Assert.Equal(JsonValueKind.Null, page2.RootElement.GetProperty("nextBefore").ValueKind);
        Assert.True(first.Length < 256 * 1024, $"first page is {first.Length} characters");
        Assert.True(rows2.Max(r => r.GetProperty("actor").GetString()!.Length) < 300, "the 10 MB actors came back whole");
    }

    [Fact]
    public async Task ModelsPage_TrailOverOnePage_SmallWithALinkToOlderEntries()
    {
        var html = await _rig.GetStringAsync("/models");
        var older = await _rig.GetStringAsync("/models?before=51");

        Assert.Contains("id=\"older\" href=\"/models?before=", html, StringComparison.Ordinal);
        Assert.True(html.Length < 256 * 1024, $"page is {html.Length} characters");
        Assert.Contains("chars)", older, StringComparison.Ordinal);
        Assert.True(older.Length < 256 * 1024, $"older page is {older.Length} characters");
    }

    [Theory]
    [InlineData("/api/models?before=x")]
    [InlineData("/models?before=-3")]
    public async Task Models_BadBefore_400(string path)
    {
        using var response = await _rig.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
