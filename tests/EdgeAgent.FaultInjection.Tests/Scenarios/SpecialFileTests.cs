using System.Diagnostics;
using EdgeAgent.FaultInjection.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Xunit.Abstractions;

namespace EdgeAgent.FaultInjection.Tests.Scenarios;

/// <summary>
/// Files with an image's name that are not regular files: a FIFO (opening it blocks) and a symlink to
/// /dev/zero (it never ends). Both used to wedge or crash the single inspection worker, and since the pair
/// is journalled as seen first, every restart resumed it and failed again. Expected: an ERROR verdict for
/// the pair (a FIFO is never opened: stat reports no size, EMPTY_FILE; the symlink is read only up to the
/// size stat reports, DECODE_FAILED) and the next good pair judged.
/// </summary>
[Trait("Category", "Integration")]
[Collection(FaultInjectionCollection.Name)]
public sealed class SpecialFileTests(StagedPairs staged, ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public Task Run_FifoNamedLikeAnImage_ErrorVerdictAndNextPairJudged() =>
        RunAsync("fifo", image => Mkfifo(image));

    [Fact]
    public Task Run_SymlinkToDevZeroNamedLikeAnImage_ErrorVerdictAndNextPairJudged() =>
        RunAsync("zero", image => File.CreateSymbolicLink(image, "/dev/zero"));

    public void Dispose() => _temp.Dispose();

    private static void Mkfifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit(5000);
    }

    private async Task RunAsync(string id, Action<string> makeImage)
    {
        var clock = Stopwatch.StartNew();
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var config = new AgentConfig(_temp.Sub("aoi"), _temp.Sub("data"), broker.Port, "special");
        await using var consumer = await DurableConsumer.StartAsync(broker.Port, config.VerdictTopic, "fi-special-consumer");
        using var agent = new AgentRunner(config.Write(Path.Combine(_temp.Path, "agent.json")), Path.Combine(_temp.Path, "agent.log"));
        var bad = _temp.Sub(Path.Combine("aoi", "BAD"));
        var special = Path.Combine(bad, id + "_image.png");
        makeImage(special);
        File.Copy(Path.Combine(staged.Root, staged.Pairs[0].TemplatePath), Path.Combine(bad, id + "_template.png"));
        agent.Start();
        await Task.Delay(TimeSpan.FromSeconds(4)); // past IncompleteTimeout: the special file is released first
        var good = Path.Combine(bad, "after_image.png");
        File.Copy(Path.Combine(staged.Root, staged.Pairs[1].ImagePath), good);
        File.Copy(Path.Combine(staged.Root, staged.Pairs[1].TemplatePath), Path.Combine(bad, "after_template.png"));

        await Poll.UntilAsync(() => consumer.Distinct >= 2, TimeSpan.FromSeconds(45), () => $"{consumer.Distinct}/2 verdicts; agent: {agent.LogTail(8)}", () => agent.ExitedUnexpectedly);
        var exitCode = agent.Stop();
        var byImage = consumer.Snapshot().ById.Values.ToDictionary(v => v.Image.Path);
        var verdict = byImage[special];
        FaultSummary.Report(output, $"5 {id} named like an image", 2, 0, 0, clock.Elapsed, $"{verdict.Outcome} {verdict.Reason}; next pair {byImage[good].Outcome}");

        Assert.Equal(VerdictKind.Error, verdict.Outcome);
        Assert.Contains(verdict.Reason, new[] { ReasonCode.EmptyFile, ReasonCode.DecodeFailed });
        Assert.Contains(byImage[good].Outcome, new[] { VerdictKind.Ok, VerdictKind.Ng });
        Assert.Equal(0, exitCode);
    }
}
