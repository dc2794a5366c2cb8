using System.Text.Json;
using EdgeAgent.Drift;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Core.Tests.Drift;

public sealed class DriftDetectorTests
{
    private static readonly DriftOptions Options = new(); // the defaults the service runs with: window 500, λ 0.05, L 5.5

    [Fact]
    public void Observe_StableNoiseOfTwentyThousandPairs_RaisesNothing()
    {
        var detector = Detector();

        var step = detector.Observe(DriftStreams.Stable(20_000, seed: 7));

        Assert.Empty(step.Events);
        Assert.Empty(detector.Alarms);
    }

    [Fact]
    public void Observe_BrightnessStepAfterTheWindow_RaisesOneEventNamingTheSeriesAndLimit()
    {
        var detector = Detector();
        // +6 % gain from pair 800 on: 3 σ of the brightness noise.
        var stream = DriftStreams.Stable(1_200, seed: 11, gain: i => i < 800 ? 1.0 : 1.06);

        var events = stream.Chunk(32).SelectMany(c => detector.Observe(c).Events).ToList();

        var brightness = Assert.Single(events, e => e.Series == "brightness");
        Assert.Equal(("UBM", "drift", DriftEvent.CurrentSchema), (brightness.Product, brightness.Type, brightness.Schema));
        Assert.True(brightness.Value > brightness.Limit && brightness.Limit > brightness.Reference, $"{brightness.Value} {brightness.Limit} {brightness.Reference}");
        Assert.InRange(brightness.Pairs, 300, 340); // the window closed at pair 500, the shift came 300 pairs later
        Assert.Contains(detector.Alarms, a => a is { Product: "UBM", Series: "brightness" });
    }

    [Fact]
    public void Observe_ShiftThatGoesAway_ClearsTheAlarmAndRaisesOncePerExcursion()
    {
        var detector = Detector();
        var stream = DriftStreams.Stable(2_000, seed: 3, gain: i => i is >= 600 and < 1_000 ? 1.08 : 1.0);

        var events = stream.Chunk(50).SelectMany(c => detector.Observe(c).Events).Where(e => e.Series == "brightness").ToList();

        Assert.Single(events);
        Assert.Empty(detector.Alarms);
    }

    [Fact]
    public void Observe_OneFarOutlierAfterTheWindow_DoesNotRaise()
    {
        var detector = Detector();
        var stream = DriftStreams.Stable(700, seed: 13);
        // One pair 50 σ off in brightness: unclipped it would move the EWMA 2.5 σ, well past the 0.9 σ limit.
        stream[600] = stream[600] with { Photometry = stream[600].Photometry! with { Brightness = 2.0 } };

        var step = detector.Observe(stream);

        Assert.Empty(step.Events);
    }

    [Fact]
    public void Observe_AnyStream_LeavesEveryVerdictAsItWas()
    {
        var detector = Detector();
        var stream = DriftStreams.Stable(600, seed: 5, gain: i => 1 + (i * 0.001));
        var before = stream.Select(v => JsonSerializer.Serialize(v, VerdictJsonContext.Default.Verdict)).ToList();

        var step = detector.Observe(stream);

        Assert.NotEmpty(step.Events);
        Assert.Equal(before, stream.Select(v => JsonSerializer.Serialize(v, VerdictJsonContext.Default.Verdict)));
    }

    [Fact]
    public void Observe_NewModelForTheProduct_StartsANewWindowInsteadOfRaising()
    {
        var detector = Detector();
        detector.Observe(DriftStreams.Stable(700, seed: 1));

        var step = detector.Observe(DriftStreams.Stable(700, seed: 2, sha: "m2", gain: _ => 1.2));

        Assert.Empty(step.Events);
        Assert.Equal(("UBM", "m1", "m2"), (step.Relearned.Single().Product, step.Relearned.Single().From!.Sha256, step.Relearned.Single().To!.Sha256));
        Assert.Equal(1.2, detector.Products.Single().Chart("brightness").Mean, 2);
    }

    [Fact]
    public void Constructor_PersistedCharts_ResumeTheReferenceAndTheAlarm()
    {
        var first = Detector();
        var saved = first.Observe(DriftStreams.Stable(800, seed: 9, gain: i => i < 600 ? 1.0 : 1.1)).Save;
        var json = saved.Select(p => JsonSerializer.Serialize(p, DriftJsonContext.Default.ProductDrift)).ToList();

        var resumed = new DriftDetector(Options, DriftStreams.Station, new VerdictIdGenerator(new FakeTimeProvider()),
            json.Select(j => JsonSerializer.Deserialize(j, DriftJsonContext.Default.ProductDrift)!));

        Assert.Contains(resumed.Alarms, a => a.Series == "brightness");
        Assert.Empty(resumed.Observe(DriftStreams.Stable(10, seed: 10, gain: _ => 1.1)).Events); // the same excursion: no second event
    }

    [Fact]
    public void Observe_SeriesTheVerdictDoesNotCarry_IsLeftUnlearned()
    {
        var detector = Detector();

        detector.Observe([.. DriftStreams.Stable(300, seed: 4).Select(v => v with { Photometry = null })]);

        Assert.Equal(0, detector.Products.Single().Chart("brightness").N);
        Assert.Equal(300, detector.Products.Single().Chart("score").N);
    }

    private static DriftDetector Detector() => new(Options, DriftStreams.Station, new VerdictIdGenerator(new FakeTimeProvider()), []);
}
