using System.Net;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using OpenCvSharp;

namespace EdgeAgent.Dashboard.Tests.Pages;

/// <summary>
/// Pairs judged by two models with maps and a shadow (the tiny constant-output models): one heatmap per model,
/// the segmenter's regions on the page and boxed on the overlay, and the shadow's disagreements paged by filter.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SeveralModelsPictureTests : IAsyncLifetime
{
    private DashboardRig _rig = null!;
    private IReadOnlyList<StoredVerdict> _judged = [];

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync();
        _judged = JudgedPairs.Judge(_rig.Log, _rig.Watched, count: 2, seed: 7, [RepoPaths.Tiny("pairseg_blob"), RepoPaths.Tiny("memseg_low")], shadow: RepoPaths.Tiny("pairseg_clean"));
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Detail_TwoModelsWithMaps_OneHeatmapEachAndTheRegionsListed()
    {
        var id = _judged[0].Verdict.Id;
        var page = await _rig.GetStringAsync($"/verdicts/{id}");

        Assert.Equal(2, _rig.Log.Get(id)!.Heatmaps.Count);
        Assert.Contains("id=\"picture-heatmap-2\"", page, StringComparison.Ordinal);
        Assert.Contains("tiny-memseg-low", page, StringComparison.Ordinal);
        Assert.Contains("class=\"region\"", page, StringComparison.Ordinal);
        Assert.Contains("shadow tiny-pairseg-clean", page, StringComparison.Ordinal);
        var png = await _rig.Http.GetByteArrayAsync(new Uri($"/verdicts/{id}/heatmap-2.png", UriKind.Relative));
        using var second = Cv2.ImDecode(png, ImreadModes.Color);
        Assert.Equal(256, second.Width);
        Assert.Equal(HttpStatusCode.NotFound, (await _rig.Http.GetAsync(new Uri($"/verdicts/{id}/heatmap-3.png", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Overview_ShadowDisagreeFilter_ListsThePairsTheShadowJudgedOtherwise()
    {
        // The service (the blob segmenter) says NG, the clean shadow OK: every pair is an NG→OK disagreement.
        var disagree = await _rig.GetStringAsync("/?shadow=disagree&since=7d");
        var agree = await _rig.GetStringAsync("/?shadow=agree&since=7d");

        Assert.All(_judged, j => Assert.Contains(j.Verdict.Id, disagree, StringComparison.Ordinal));
        Assert.All(_judged, j => Assert.DoesNotContain(j.Verdict.Id, agree, StringComparison.Ordinal));
        using var refused = await _rig.Http.GetAsync(new Uri("/?shadow=maybe", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("shadow must be", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
