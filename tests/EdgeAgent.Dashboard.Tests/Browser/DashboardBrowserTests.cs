using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EdgeAgent.Dashboard.Tests.Browser;

/// <summary>
/// The whole thing as a supervisor meets it: the real agent (watcher, alignment, bundled model, journal, a real
/// mosquitto) judges generated pairs and a few bad ones, its own dashboard serves them, and headless chromium,
/// driven over the DevTools protocol, must show the log's counts and load real heatmaps. Screenshots are kept
/// in the test output (their paths are printed).
/// </summary>
[Trait("Category", "Integration")]
public sealed class DashboardBrowserTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new("edgeagent-browser-");

    [Fact]
    public async Task Dashboard_RealAgentsLog_CountsEqualTheLogAndHeatmapsLoadInChromium()
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var watched = _temp.Sub("aoi");
        var truth = SyntheticDataset.Write(_temp.Sub("staging"), new SyntheticDatasetOptions { Count = 16, Seed = 7 });
        using var host = AgentHost.Build(null, RealAgent.Settings(watched, Path.Combine(Path.GetDirectoryName(watched)!, "data"), broker.Port));
        await host.StartAsync();
        try
        {
            var expected = Feed(truth, watched);
            var log = host.Services.GetRequiredService<VerdictLog>();
            await RealAgent.UntilAsync(() => log.Count() >= expected, TimeSpan.FromMinutes(3), $"{expected} verdicts in the log");
            var logged = log.Find(new VerdictQuery(Limit: 1000));
            var dashboard = new Uri(Assert.Single(host.Services.GetRequiredService<DashboardServer>().Addresses));

            using var chromium = await HeadlessChromium.StartAsync();
            await using var page = await CdpSession.OpenPageAsync(chromium.DevTools);
            await page.NavigateAsync(dashboard);

            var counts = (await page.EvaluateAsync(
                "['count-total','count-ok','count-ng','count-review','count-error'].map(id => Number(document.getElementById(id).textContent))"))!.AsArray();
            Assert.Equal(
                [logged.Count, Count(logged, VerdictKind.Ok), Count(logged, VerdictKind.Ng), Count(logged, VerdictKind.Review), Count(logged, VerdictKind.Error)],
                counts.Select(n => n!.GetValue<int>()));
            Assert.All(Enum.GetValues<VerdictKind>(), kind => Assert.True(Count(logged, kind) > 0, $"the log has no {kind} verdict to show"));
            var rows = (await page.EvaluateAsync("document.querySelectorAll('#verdicts tbody tr[data-id]').length"))!.GetValue<int>();
            Assert.Equal(logged.Count, rows);
            var thumbnails = (await page.EvaluateAsync("[...document.querySelectorAll('#verdicts img.thumb')].map(i => i.complete ? i.naturalWidth : 0)"))!.AsArray();
            Assert.Equal(logged.Count(v => v.Score is not null), thumbnails.Count);
            Assert.All(thumbnails, w => Assert.Equal(VerdictHeatmap.Side, w!.GetValue<int>()));
            Assert.True((await page.EvaluateAsync("document.getElementById('threshold-line') !== null"))!.GetValue<bool>(), "no threshold on the histogram");
            Keep(await page.ScreenshotAsync(), "dashboard-overview.png");

            var worst = logged.Where(v => v.Outcome == VerdictKind.Ng).MaxBy(v => v.Score)!;
            await page.NavigateAsync(new Uri(dashboard, $"verdicts/{worst.Id}"));
            var pictures = (await page.EvaluateAsync("['template','image','overlay'].map(n => { const i = document.getElementById('picture-' + n); return i && i.complete ? i.naturalWidth : 0; })"))!.AsArray();
            Assert.All(pictures, w => Assert.Equal(256, w!.GetValue<int>()));
            Keep(await page.ScreenshotAsync(), "dashboard-detail.png");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public void Dispose() => _temp.Dispose();

    // The generated pairs as an AOI writes them (temp name, then rename), and three that cannot be OK or NG: a
    // truncated image (ERROR), an image whose template never comes (ERROR), an image against another product's
    // template (REVIEW: the alignment cannot be trusted). Returns how many verdicts to expect.
    private static int Feed(IReadOnlyList<SyntheticPairTruth> truth, string watched)
    {
        var staging = Path.Combine(Path.GetDirectoryName(watched)!, "staging");
        AoiFiles.CopyLikeAnAoi(staging, truth.SelectMany(p => new[] { p.ImagePath, p.TemplatePath }), watched);

        var bad = Directory.CreateDirectory(Path.Combine(watched, "BAD")).FullName;
        var ubm = truth.First(p => p.Product == "UBM");
        var m1 = truth.First(p => p.Product == "M1");
        var png = File.ReadAllBytes(Path.Combine(staging, ubm.ImagePath));
        File.WriteAllBytes(Path.Combine(bad, "L9_S1_U1_D01_image.png"), png[..(png.Length / 3)]);
        File.WriteAllBytes(Path.Combine(bad, "L9_S1_U1_D01_template.png"), png);
        File.WriteAllBytes(Path.Combine(bad, "L9_S1_U2_D01_image.png"), png);
        File.Copy(Path.Combine(staging, ubm.ImagePath), Path.Combine(bad, "L9_S1_U3_D01_image.png"));
        File.Copy(Path.Combine(staging, m1.TemplatePath), Path.Combine(bad, "L9_S1_U3_D01_template.png"));
        return truth.Count + 3;
    }

    private static int Count(IEnumerable<Verdict> verdicts, VerdictKind kind) => verdicts.Count(v => v.Outcome == kind);


    private void Keep(byte[] png, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        File.WriteAllBytes(path, png);
        output.WriteLine($"screenshot: {path}");
    }
}
