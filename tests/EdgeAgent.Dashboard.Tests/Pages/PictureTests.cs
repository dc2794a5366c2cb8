using System.Net;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Ingest;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using EdgeAgent.Verdicts;
using OpenCvSharp;

namespace EdgeAgent.Dashboard.Tests.Pages;

/// <summary>
/// The detail view's pictures from pairs the real inspector judged: the AOI files where the AOI left them, where
/// <c>AfterProcessing: Move</c> put them, or gone (the stored heatmap alone, and the page says so).
/// </summary>
[Trait("Category", "Integration")]
public sealed class PictureTests : IAsyncLifetime
{
    private DashboardRig _rig = null!;
    private IReadOnlyList<StoredVerdict> _judged = [];

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync();
        _judged = JudgedPairs.Judge(_rig.Log, _rig.Watched, count: 4);
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public void Judge_EveryScoredPair_HeatmapStoredWithItsVerdict()
    {
        Assert.All(_judged, j => Assert.Contains(j.Verdict.Outcome, new[] { VerdictKind.Ok, VerdictKind.Ng }));
        foreach (var judged in _judged)
        {
            var stored = _rig.Log.Get(judged.Verdict.Id)!;
            Assert.Equal(256, stored.Heatmap!.Crop);
            Assert.Equal(judged.Heatmap!.Levels, stored.Heatmap.Levels);
        }

        // 255 stands for twice the threshold: the NG pair's hottest level is above the middle, the OK pair's below.
        Assert.All(_judged.Where(j => j.Verdict.Outcome == VerdictKind.Ng), j => Assert.True(j.Heatmap!.Levels.Max() > 100));
        Assert.All(_judged.Where(j => j.Verdict.Outcome == VerdictKind.Ok), j => Assert.True(j.Heatmap!.Levels.Max() < 140));
    }

    [Fact]
    public async Task Detail_FilesWhereTheAoiLeftThem_TemplateImageAndOverlaySideBySide()
    {
        var id = _judged[0].Verdict.Id;
        var page = await _rig.GetStringAsync($"/verdicts/{id}");

        Assert.Contains("id=\"picture-template\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"picture-overlay\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("files-missing", page, StringComparison.Ordinal);
        foreach (var name in new[] { "template", "image", "overlay" })
        {
            using var picture = await Png($"/verdicts/{id}/{name}.png");
            Assert.Equal((256, 256), (picture.Width, picture.Height));
        }

        using var heatmap = await Png($"/verdicts/{id}/heatmap.png");
        Assert.Equal(256, heatmap.Width);
    }

    [Fact]
    public async Task Detail_FilesMovedToDone_StillFound()
    {
        var verdict = _judged[1].Verdict;
        foreach (var path in new[] { verdict.Image.Path, verdict.Template!.Path })
        {
            var moved = ProcessedLocation.Destination(_rig.Watched, path, verdict.Outcome);
            Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
            File.Move(path, moved);
        }

        var page = await _rig.GetStringAsync($"/verdicts/{verdict.Id}");

        Assert.Contains("id=\"picture-overlay\"", page, StringComparison.Ordinal);
        using var overlay = await Png($"/verdicts/{verdict.Id}/overlay.png");
        Assert.Equal(256, overlay.Width);
    }

    [Fact]
    public async Task Detail_FilesGone_StoredHeatmapAloneAndThePageSaysSo()
    {
        var verdict = _judged[2].Verdict;
        File.Delete(verdict.Image.Path);

        var page = await _rig.GetStringAsync($"/verdicts/{verdict.Id}");

        Assert.Contains("id=\"files-missing\"", page, StringComparison.Ordinal);
        Assert.Contains("is no longer on disk", page, StringComparison.Ordinal);
        Assert.Contains("id=\"picture-heatmap\"", page, StringComparison.Ordinal);
        using var heatmap = await Png($"/verdicts/{verdict.Id}/heatmap.png");
        Assert.Equal(256, heatmap.Width);
        using var overlay = await _rig.Http.GetAsync(new Uri($"/verdicts/{verdict.Id}/overlay.png", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, overlay.StatusCode);
    }

    [Fact]
    public async Task Detail_FileRewrittenSinceJudged_NotShownAsThisVerdictsPicture()
    {
        var verdict = _judged[3].Verdict;
        File.Copy(_judged[0].Verdict.Image.Path, verdict.Image.Path, overwrite: true);

        var page = await _rig.GetStringAsync($"/verdicts/{verdict.Id}");

        Assert.Contains("the image file on disk has changed since it was judged", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Heatmap_AfterArchiving_StillServedFromTheMonthFile()
    {
        var verdict = _judged[0].Verdict;
        foreach (var j in _judged)
        {
            _rig.Log.MarkPublished([j.Verdict.Id], j.Verdict.JudgedAt);
        }

        var archived = RetentionPolicy.Apply(_rig.Log, new RetentionOptions { ArchiveAfter = TimeSpan.Zero }, DateTimeOffset.UtcNow.AddSeconds(1)).Archived;

        Assert.Equal(_judged.Count, archived);
        using var heatmap = await Png($"/verdicts/{verdict.Id}/heatmap.png");
        Assert.Equal(256, heatmap.Width);
        Assert.Contains(verdict.PairId, await _rig.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_UnknownVerdict_NotFoundPage()
    {
        using var response = await _rig.Http.GetAsync(new Uri("/verdicts/01KAS3V3Q4Z9X8B1T2M5N6P7R8", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("pruned by retention", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<Mat> Png(string path)
    {
        using var response = await _rig.Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var picture = Cv2.ImDecode(await response.Content.ReadAsByteArrayAsync(), ImreadModes.Unchanged);
        Assert.False(picture.Empty());
        return picture;
    }
}
