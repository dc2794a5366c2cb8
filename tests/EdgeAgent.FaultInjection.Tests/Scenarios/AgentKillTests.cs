using System.Diagnostics;
using System.Globalization;
using EdgeAgent.FaultInjection.Tests.Support;
using EdgeAgent.Testing;
using Xunit.Abstractions;

namespace EdgeAgent.FaultInjection.Tests.Scenarios;

/// <summary>
/// Scenarios 2 and 3: the agent is killed with SIGKILL at seeded-random moments while pairs keep arriving
/// and verdicts keep flowing, and restarted each time. After every kill, before the restart, the LiteDB
/// files are reopened and checked (<see cref="JournalCheck"/>). At the end every pair has exactly one
/// judged record, nothing is left seen or unpublished, and the consumer received every verdict with the
/// journal's id (duplicates by id are allowed by at-least-once delivery and counted).
/// </summary>
[Trait("Category", "Integration")]
[Collection(FaultInjectionCollection.Name)]
public sealed class AgentKillTests(StagedPairs staged, ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public Task Run_KilledTwelveTimesWhilePairsFlow_OneJournalRecordPerPairAndEveryVerdictDelivered() =>
        RunAsync(pairs: 1000, kills: 12, seed: 20261123, archiveEagerly: false, "2 agent SIGKILL x12 + restart", "3 LiteDB reopened after each SIGKILL");

    [Fact]
    public Task Run_KilledTenTimesWhileRetentionArchivesEverySecond_EveryVerdictInJournalOrArchiveOnce() =>
        RunAsync(pairs: 1000, kills: 10, seed: 7, archiveEagerly: true, "2b SIGKILL x10, archiving every 1 s", "3b journal+archive after each SIGKILL");

    public void Dispose() => _temp.Dispose();

    private async Task RunAsync(int pairs, int kills, int seed, bool archiveEagerly, string scenario, string fileScenario)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var config = new AgentConfig(_temp.Sub("aoi"), _temp.Sub("data"), broker.Port, "kill") { ArchiveEagerly = archiveEagerly };
        await using var consumer = await DurableConsumer.StartAsync(broker.Port, config.VerdictTopic, "fi-kill-consumer");
        using var agent = new AgentRunner(config.Write(Path.Combine(_temp.Path, "agent.json")), Path.Combine(_temp.Path, "agent.log"));
        // A little faster than the agent's ~20 pairs/s: files keep arriving through most of the kill phase,
        // including while the agent is down, and the agent always has work when it is killed.
        var feeder = new PairFeeder(staged, config.Watched, pairs, pairsPerSecond: 25);
        using var stopFeeding = new CancellationTokenSource();
        var feeding = feeder.RunAsync(stopFeeding.Token);
        var checks = new List<JournalReport>();

        for (int kill = 1; kill <= kills; kill++)
        {
            var delay = await agent.StartAndLetPairsFlowAsync(consumer, kill, pairs, random, TimeSpan.FromMilliseconds(2500));
            agent.Kill();
            var report = JournalCheck.Check(config.DatabasePath);
            checks.Add(report);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kill {kill,2} at {clock.Elapsed.TotalSeconds,5:F1} s (+{delay.TotalMilliseconds,4:F0} ms): written {feeder.Written,4}, delivered {consumer.Distinct,4}; journal {report}"));
        }

        agent.Start();
        await feeding;
        await Poll.UntilAsync(() => consumer.Distinct >= pairs, TimeSpan.FromSeconds(180), () => $"{consumer.Distinct}/{pairs} verdicts after the last restart", () => agent.ExitedUnexpectedly);
        await Task.Delay(archiveEagerly ? 2500 : 500); // the last PUBACKs mark the journal (and a retention pass archives them)
        var exitCode = agent.Stop();

        var received = consumer.Snapshot();
        var journal = JournalCheck.Check(config.DatabasePath);
        var judged = journal.Records.Where(r => r.Judged).ToList();
        var journalIds = judged.Select(r => r.Id).ToHashSet();
        var recordsPerPair = judged.GroupBy(r => r.ImagePath).ToDictionary(g => g.Key, g => g.Count());
        var idsByImage = received.IdsByImage();
        var lost = judged.Count(r => !received.DeliveriesById.ContainsKey(r.Id)) + feeder.ImagePaths.Count(p => !recordsPerPair.ContainsKey(p));
        var foreignIds = received.ById.Keys.Count(id => !journalIds.Contains(id));
        var resentIds = received.DeliveriesById.Count(d => d.Value > 1);
        FaultSummary.Report(output, scenario, pairs, lost, received.Duplicates, clock.Elapsed,
            $"{judged.Count} judged records for {recordsPerPair.Count} pairs ({journal.Archived} archived), {journal.Seen} unfinished, {journal.Pending} pending; {resentIds} ids re-delivered; {foreignIds} ids not in journal");
        FaultSummary.Report(output, fileScenario, checks.Count, 0, 0, clock.Elapsed,
            $"{checks.Count}/{kills} checks consistent (docs {checks.Min(c => c.Documents)}..{checks.Max(c => c.Documents)}; at a kill up to {checks.Max(c => c.Seen)} seen, {checks.Max(c => c.Pending)} unpublished, {checks.Max(c => c.InBoth)} mid-archive)");

        Assert.Equal(0, lost);
        Assert.Equal(kills, checks.Count);
        Assert.Equal(pairs, journal.Documents);
        Assert.All(feeder.ImagePaths, p => Assert.Equal(1, recordsPerPair.GetValueOrDefault(p)));
        Assert.Equal((0, 0, 0), (journal.Seen, journal.Pending, journal.InBoth));
        Assert.Equal(0, foreignIds); // a pair judged again after a crash keeps the id it was seen with
        Assert.All(judged, r => Assert.Equal([r.Id], idsByImage[r.ImagePath]));
        Assert.Equal(0, received.Unparsable);
        Assert.Equal(0, exitCode);
        if (archiveEagerly)
        {
            Assert.True(journal.Archived > 0, "retention archived nothing: the scenario did not exercise it");
        }
    }
}
