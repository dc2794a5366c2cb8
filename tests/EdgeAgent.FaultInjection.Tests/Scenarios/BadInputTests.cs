using System.Diagnostics;
using EdgeAgent.FaultInjection.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Xunit.Abstractions;

namespace EdgeAgent.FaultInjection.Tests.Scenarios;

/// <summary>
/// Scenario 4: bad inputs dropped into the watched folder between good pairs, into a real agent process.
/// Each must get the outcome README "Bad input and faults" documents, published and journalled once,
/// and every good pair around them must be judged OK or NG.
/// </summary>
[Trait("Category", "Integration")]
[Collection(FaultInjectionCollection.Name)]
public sealed class BadInputTests(StagedPairs staged, ITestOutputHelper output) : IDisposable
{
    private const int GoodBefore = 60;
    private const int GoodAfter = 30;
    private static readonly TimeSpan TemplateWait = TimeSpan.FromSeconds(6);
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Run_BadInputsAmongGoodPairs_EachGetsItsDocumentedOutcomeAndGoodPairsAreJudged()
    {
        var clock = Stopwatch.StartNew();
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var config = new AgentConfig(_temp.Sub("aoi"), _temp.Sub("data"), broker.Port, "bad") { TemplateWait = TemplateWait, MaxFileBytes = BadInputSet.MaxFileBytes, LogSeenPairs = true };
        await using var consumer = await DurableConsumer.StartAsync(broker.Port, config.VerdictTopic, "fi-bad-consumer");
        using var agent = new AgentRunner(config.Write(Path.Combine(_temp.Path, "agent.json")), Path.Combine(_temp.Path, "agent.log"));
        var inputs = new BadInputSet(staged, config.Watched, _temp.Sub("sized"));

        agent.Start();
        var good = inputs.WriteGood(0, GoodBefore);
        await Poll.UntilAsync(() => consumer.Distinct > 0, TimeSpan.FromSeconds(60), () => "the first good verdict", () => agent.ExitedUnexpectedly);
        // Queued behind ~60 pairs (1.5-2.5 s of work on two cores): its image goes once ingest has journaled it,
        // before inspection reads it.
        var vanishing = inputs.WriteVanishingAfterRelease(image => agent.HasPrinted($"Pair {image} journaled as seen"));
        var lateTemplate = inputs.WriteAll();
        good.AddRange(inputs.WriteGood(GoodBefore, GoodAfter));
        await Task.WhenAll(vanishing, lateTemplate);

        var cases = inputs.Cases;
        int expected = good.Count + cases.Count(c => c.ExpectsVerdict);
        await Poll.UntilAsync(() => consumer.Distinct >= expected, TimeSpan.FromSeconds(120), () => $"{consumer.Distinct}/{expected} verdicts", () => agent.ExitedUnexpectedly);
        await Task.Delay(1500); // room for a verdict that should not come (ignored and vanished files)
        var exitCode = agent.Stop();

        var received = consumer.Snapshot();
        var byImage = received.ById.Values.ToLookup(v => v.Image.Path);
        var journal = JournalCheck.Check(config.DatabasePath);
        var recorded = journal.Records.ToLookup(r => r.ImagePath);
        var mismatches = cases.Select(c => c.Check(byImage[c.ImagePath].ToList(), recorded[c.ImagePath].ToList())).OfType<string>().ToList();
        var badGood = good.Where(p => byImage[p].SingleOrDefault() is not { Outcome: VerdictKind.Ok or VerdictKind.Ng } || recorded[p].Count() != 1).ToList();
        var lost = good.Count(p => !byImage[p].Any()) + cases.Count(c => c.ExpectsVerdict && !byImage[c.ImagePath].Any());
        foreach (var c in cases)
        {
            var v = byImage[c.ImagePath].FirstOrDefault();
            output.WriteLine($"{c.Name,-34} expected {c.Expected,-24} got {(v is null ? "no verdict" : $"{v.Outcome} {v.Reason}"),-26} {v?.Detail}");
        }

        FaultSummary.Report(output, "4 bad inputs among good pairs", expected, lost, received.Duplicates, clock.Elapsed,
            $"{cases.Count - mismatches.Count}/{cases.Count} bad-input cases as documented; {good.Count - badGood.Count}/{good.Count} good pairs judged OK/NG"
            + (mismatches.Count > 0 ? "; MISMATCH: " + string.Join("; ", mismatches) : ""));

        Assert.Equal(0, lost);
        Assert.Empty(mismatches);
        Assert.Empty(badGood);
        Assert.Equal(expected, journal.Documents);
        Assert.Equal((expected, 0, 0), (journal.Judged, journal.Seen, journal.Pending));
        Assert.Equal(0, exitCode);
    }

    public void Dispose() => _temp.Dispose();
}
