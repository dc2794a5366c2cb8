using EdgeAgent.Ingest;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Core.Tests.Ingest;

public sealed class PairTrackerTests
{
    private const string Root = "/aoi";
    private static readonly DateTime Written = new(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _time = new();
    private readonly IngestOptions _options = new() { SettleTime = TimeSpan.FromMilliseconds(200), TemplateWait = TimeSpan.FromSeconds(5), IncompleteTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public void Observe_StableCompletePair_ReleasedOnceAfterSettleTime()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        var scan = Pair("UBM/L1_S1_U1_D1");

        Assert.Empty(tracker.Observe(Root, scan, _ => false));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        var ready = tracker.Observe(Root, scan, _ => false);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        var again = tracker.Observe(Root, scan, _ => false);

        var pair = Assert.Single(ready);
        Assert.Equal("L1_S1_U1_D1", pair.PairId);
        Assert.Equal("UBM", pair.Product);
        Assert.Equal("/aoi/UBM/L1_S1_U1_D1_template.png", pair.TemplatePath);
        Assert.Equal("L1", pair.Trace["lot"]);
        Assert.Empty(again);
    }

    [Fact]
    public void Observe_FileStillGrowing_NotReleased()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        tracker.Observe(Root, Pair("x/A", imageLength: 100), _ => false);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        var ready = tracker.Observe(Root, Pair("x/A", imageLength: 200), _ => false);

        Assert.Empty(ready);
    }

    [Fact]
    public void Observe_NoEndMarker_WaitsUntilIncompleteTimeout()
    {
        var tracker = new PairTracker(_options, _time, path => !path.Contains("_image", StringComparison.Ordinal));
        var scan = Pair("x/A");
        tracker.Observe(Root, scan, _ => false);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(tracker.Observe(Root, scan, _ => false));

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Single(tracker.Observe(Root, scan, _ => false));
    }

    [Fact]
    public void Observe_TemplateNeverArrives_ReleasedWithoutTemplateAfterTemplateWait()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        var scan = new[] { new FileObservation("/aoi/A_image.png", 10, Written) };
        tracker.Observe(Root, scan, _ => false);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Empty(tracker.Observe(Root, scan, _ => false));
        Assert.True(tracker.HasPending);

        _time.Advance(TimeSpan.FromSeconds(6));
        var pair = Assert.Single(tracker.Observe(Root, scan, _ => false));

        Assert.Null(pair.TemplatePath);
        Assert.Equal(_options.DefaultProduct, pair.Product);
    }

    [Fact]
    public void Observe_ImageOfAProductJudgedAgainstAGolden_ReleasedWithoutWaitingForATemplate()
    {
        var options = new IngestOptions { SettleTime = _options.SettleTime, TemplateWait = _options.TemplateWait, ProductsWithoutTemplates = new HashSet<string> { "G" } };
        var tracker = new PairTracker(options, _time, _ => true);
        var scan = new[] { new FileObservation("/aoi/G/A_image.png", 10, Written), new FileObservation("/aoi/UBM/B_image.png", 10, Written) };
        tracker.Observe(Root, scan, _ => false);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        var pair = Assert.Single(tracker.Observe(Root, scan, _ => false));

        Assert.Equal(("G", null), (pair.Product, pair.TemplatePath));
        Assert.True(tracker.HasPending); // UBM's image still waits for its template
    }

    [Fact]
    public void Observe_AlreadyJudgedInAnEarlierRun_NotReleased()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        var scan = Pair("x/A");
        tracker.Observe(Root, scan, _ => true);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Empty(tracker.Observe(Root, scan, _ => true));
    }

    [Fact]
    public void Observe_FileRewrittenWithNewMtime_IsANewPair()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        tracker.Observe(Root, Pair("x/A"), _ => false);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        var first = Assert.Single(tracker.Observe(Root, Pair("x/A"), _ => false));

        var rewritten = Pair("x/A", written: Written.AddMinutes(1));
        tracker.Observe(Root, rewritten, _ => false);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        var second = Assert.Single(tracker.Observe(Root, rewritten, _ => false));

        Assert.NotEqual(first.Key, second.Key);
    }

    [Fact]
    public void Observe_SameIdWrittenInTwoFormats_BothImagesJudgedWithTheTemplate()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        FileObservation[] scan =
        [
            new("/aoi/x/A_image.png", 10, Written),
            new("/aoi/x/A_image.bmp", 10, Written),
            new("/aoi/x/A_template.png", 10, Written),
        ];
        tracker.Observe(Root, scan, _ => false);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        var ready = tracker.Observe(Root, scan, _ => false);

        Assert.Equal(2, ready.Count);
        Assert.All(ready, p => Assert.Equal("/aoi/x/A_template.png", p.TemplatePath));
    }

    [Fact]
    public void Observe_SameIdInTwoProductFolders_TwoIndependentPairs()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        FileObservation[] scan = [.. Pair("UBM/A"), .. Pair("M1/A")];
        tracker.Observe(Root, scan, _ => false);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        var ready = tracker.Observe(Root, scan, _ => false);

        Assert.Equal(["M1", "UBM"], ready.Select(p => p.Product).Order());
    }

    [Fact]
    public void Observe_FilesGone_AreForgotten()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        tracker.Observe(Root, Pair("x/A"), _ => false);

        tracker.Observe(Root, [], _ => false);

        Assert.Equal(0, tracker.TrackedFiles);
    }

    [Fact]
    public void ObserveChanges_PairRenamedIntoPlace_ReleasedAtOnceWithoutSettling()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        var renamed = Pair("UBM/A").Select(f => f with { RenamedIntoPlace = true });

        var pair = Assert.Single(tracker.ObserveChanges(Root, renamed, [], _ => false));

        Assert.Equal("/aoi/UBM/A_template.png", pair.TemplatePath);
    }

    [Fact]
    public void ObserveChanges_RenamedButWithoutEndMarker_StillWaitsForIt()
    {
        var tracker = new PairTracker(_options, _time, path => !path.Contains("_image", StringComparison.Ordinal));

        Assert.Empty(tracker.ObserveChanges(Root, Pair("x/A").Select(f => f with { RenamedIntoPlace = true }), [], _ => false));
        Assert.Equal(["/aoi/x/A_image.png"], tracker.UnsettledFiles.Select(f => f.Path));
    }

    [Fact]
    public void ObserveChanges_TemplateHintedAfterTheImage_PairReleasedFromTheKnownImage()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        var (image, template) = (Pair("x/A")[0], Pair("x/A")[1]);
        tracker.ObserveChanges(Root, [image], [], _ => false);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Empty(tracker.ObserveChanges(Root, [image], [], _ => false));
        Assert.True(tracker.HasPending);

        var pair = Assert.Single(tracker.ObserveChanges(Root, [template with { RenamedIntoPlace = true }], [], _ => false));

        Assert.Equal(template.Path, pair.TemplatePath);
        Assert.False(tracker.HasPending);
    }

    [Fact]
    public void ObserveChanges_SettlingFileNotHintedAgain_ListedUntilItSettles()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        tracker.ObserveChanges(Root, Pair("x/A"), [], _ => false);
        Assert.Equal(2, tracker.UnsettledFiles.Count);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Single(tracker.ObserveChanges(Root, tracker.UnsettledFiles.Select(f => Pair("x/A").Single(p => p.Path == f.Path)), [], _ => false));
        Assert.Empty(tracker.UnsettledFiles);
    }

    [Fact]
    public void ObserveChanges_FileVanished_ForgottenWhileTheRestStays()
    {
        var tracker = new PairTracker(_options, _time, _ => true);
        tracker.Observe(Root, [.. Pair("x/A"), .. Pair("x/B")], _ => false);

        tracker.ObserveChanges(Root, [], ["/aoi/x/A_image.png", "/aoi/x/A_template.png"], _ => false);

        Assert.Equal(2, tracker.TrackedFiles);
    }

    private static FileObservation[] Pair(string stem, long imageLength = 1000, DateTime? written = null) =>
    [
        new($"{Root}/{stem}_image.png", imageLength, written ?? Written),
        new($"{Root}/{stem}_template.png", 900, written ?? Written),
    ];
}
