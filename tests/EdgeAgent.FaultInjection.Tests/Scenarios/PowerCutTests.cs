using System.Diagnostics;
using System.Globalization;
using EdgeAgent.FaultInjection.Tests.Support;
using EdgeAgent.Ingest;
using EdgeAgent.Testing;
using EdgeAgent.Testing.PowerCut;
using Xunit.Abstractions;

namespace EdgeAgent.FaultInjection.Tests.Scenarios;

/// <summary>
/// Scenario 2c: power cuts. The agent's data directory lives on the power-cut file system
/// (<see cref="PowerCutFileSystem"/>): every write since its file's last fsync is kept in memory only. Each cut
/// SIGKILLs the agent and drops all of that (in the second run also every create, rename and unlink whose folder
/// was not fsynced), then the journal is checked (<see cref="JournalCheck"/>) and the agent restarted. At the end
/// every pair was delivered, no pair was ever published under two ids (an id published before a cut survives it),
/// and the journal holds exactly one record per pair. The watched folder is not on the cut file system: it stands
/// for the AOI's share, whose durability is the AOI's.
/// </summary>
[Trait("Category", "Integration")]
[Collection(FaultInjectionCollection.Name)]
public sealed class PowerCutTests(StagedPairs staged, ITestOutputHelper output) : IDisposable
{
    private const int Pairs = 1000;
    private const int Cuts = 30;
    private const int MovedPairs = 300; // scenario 2e: the watched folder on the cut disk too
    private const int MovedCuts = 8;
    private readonly TempFolder _temp = new();

    [Fact]
    public Task Run_PowerCutThirtyTimesWhilePairsFlow_NothingLostAndNoPairUnderTwoIds() =>
        RunAsync(dropDirectoryOperations: false, seed: 17, "2c power cut x30 (unsynced data lost)");

    [Fact]
    public Task Run_PowerCutThirtyTimesAlsoLosingUnsyncedRenames_NothingLostAndNoPairUnderTwoIds() =>
        RunAsync(dropDirectoryOperations: true, seed: 18, "2d power cut x30 (+ unsynced dir ops)");

    /// <summary>
    /// Scenario 2e: the watched folder on the same cut disk, with <c>AfterProcessing: Move</c>. The AOI's files are on
    /// the disk before the first start (written and synced by the AOI: its durability is not the agent's); every move
    /// to <c>done/</c>, <c>review/</c> or <c>quarantine/</c> is a rename nobody fsyncs, so each cut puts the pairs moved
    /// since back in the watched folder. After the restarts every pair was judged under one id and, before the disk is
    /// unmounted, every file is where its stored verdict sends it: a judged pair found again is moved, not judged again.
    /// </summary>
    [Fact]
    public async Task Run_PowerCutsUndoingMovesToDone_EveryPairMovedOnceJudgedAndNoneUnderTwoIds()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(19);
        var root = _temp.Sub("power");
        // Written straight onto the "disk" before it is mounted: the AOI's pairs survive every cut.
        var onDisk = new PairFeeder(staged, Path.Combine(root, "disk", "aoi"), MovedPairs, pairsPerSecond: 1e6);
        await onDisk.RunAsync(CancellationToken.None);
        using var fs = PowerCutFileSystem.Mount(root, dropDirectoryOperations: true);
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var config = new AgentConfig(Path.Combine(fs.MountPoint, "aoi"), Path.Combine(fs.MountPoint, "data"), broker.Port, "power-move") { AfterProcessing = "Move" };
        var images = onDisk.ImagePaths.Select(p => Path.Combine(config.Watched, Path.GetRelativePath(Path.Combine(root, "disk", "aoi"), p))).ToList();
        await using var consumer = await DurableConsumer.StartAsync(broker.Port, config.VerdictTopic, "fi-power-move-consumer");
        using var agent = new AgentRunner(config.Write(Path.Combine(_temp.Path, "agent.json")), Path.Combine(_temp.Path, "agent.log"));
        var movedBack = 0;

        for (int cut = 1; cut <= MovedCuts; cut++)
        {
            var delay = await agent.StartAndLetPairsFlowAsync(consumer, cut, MovedPairs, random, TimeSpan.FromMilliseconds(700));
            agent.Kill();
            var leftBefore = LeftInFolder(config.Watched);
            fs.Cut();
            var leftAfter = LeftInFolder(config.Watched);
            movedBack += leftAfter - leftBefore;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cut {cut} at {clock.Elapsed.TotalSeconds,5:F1} s (+{delay.TotalMilliseconds,3:F0} ms): delivered {consumer.Distinct,3}; files in the watched folder {leftBefore} -> {leftAfter}"));
        }

        agent.Start();
        await Poll.UntilAsync(() => consumer.Distinct >= MovedPairs && LeftInFolder(config.Watched) == 0, TimeSpan.FromSeconds(180),
            () => $"{consumer.Distinct}/{MovedPairs} verdicts, {LeftInFolder(config.Watched)} file(s) still in the watched folder", () => agent.ExitedUnexpectedly);
        await Task.Delay(500); // the last PUBACKs mark the journal
        var exitCode = agent.Stop();
        var received = consumer.Snapshot();
        // Read while the disk is still mounted: every image and template where its verdict sends it (done/, review/, quarantine/).
        var misplaced = received.ById.Values.Count(v => new[] { v.Image.Path, v.Template?.Path }.OfType<string>()
            .Any(file => !File.Exists(ProcessedLocation.Destination(config.Watched, file, v.Outcome))));
        fs.Stop();

        var journal = JournalCheck.Check(Path.Combine(fs.BackingDirectory, "data", "edgeagent.db"));
        var judged = journal.Records.Where(r => r.Judged).ToList();
        var recordsPerPair = judged.GroupBy(r => r.ImagePath).ToDictionary(g => g.Key, g => g.Count());
        var underTwoIds = received.IdsByImage().Count(g => g.Count() > 1);
        var lost = judged.Count(r => !received.DeliveriesById.ContainsKey(r.Id)) + images.Count(p => !recordsPerPair.ContainsKey(p));
        FaultSummary.Report(output, "2e power cut x8, moves to done/ undone", MovedPairs, lost, received.Duplicates, clock.Elapsed, string.Create(CultureInfo.InvariantCulture,
            $"{fs.Cuts} cuts; {movedBack} files moved back by the cuts, each moved again; {underTwoIds} pairs under two ids; {judged.Count} judged records for {recordsPerPair.Count} pairs; {misplaced} pairs not where their verdict sends them"));

        Assert.Equal(0, lost);
        Assert.Equal(0, underTwoIds);
        Assert.True(movedBack > 0, "no cut undid a move: the scenario tested nothing");
        Assert.Equal(0, misplaced);
        Assert.All(images, p => Assert.Equal(1, recordsPerPair.GetValueOrDefault(p)));
        Assert.Equal((0, 0), (journal.Seen, journal.Pending));
        Assert.Equal(0, exitCode);
    }

    public void Dispose() => _temp.Dispose();

    private static int LeftInFolder(string watched) => WatchedFolder.Unmoved(watched, "*.png");

    private async Task RunAsync(bool dropDirectoryOperations, int seed, string scenario)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        using var fs = PowerCutFileSystem.Mount(_temp.Sub("power"), dropDirectoryOperations);
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var config = new AgentConfig(_temp.Sub("aoi"), Path.Combine(fs.MountPoint, "data"), broker.Port, "power") { ArchiveEagerly = true };
        await using var consumer = await DurableConsumer.StartAsync(broker.Port, config.VerdictTopic, "fi-power-consumer");
        using var agent = new AgentRunner(config.Write(Path.Combine(_temp.Path, "agent.json")), Path.Combine(_temp.Path, "agent.log"));
        // Slower than the agent (~20 pairs/s): the stream must last through 30 restarts, so pairs keep arriving at every cut.
        var feeder = new PairFeeder(staged, config.Watched, Pairs, pairsPerSecond: 9);
        using var stopFeeding = new CancellationTokenSource();
        var feeding = feeder.RunAsync(stopFeeding.Token);
        var checks = new List<JournalReport>();

        for (int cut = 1; cut <= Cuts; cut++)
        {
            var delay = await agent.StartAndLetPairsFlowAsync(consumer, cut, Pairs, random, TimeSpan.FromMilliseconds(1000));
            agent.Kill();
            fs.Cut();
            var report = JournalCheck.Check(config.DatabasePath);
            checks.Add(report);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cut {cut,2} at {clock.Elapsed.TotalSeconds,5:F1} s (+{delay.TotalMilliseconds,4:F0} ms): written {feeder.Written,4}, delivered {consumer.Distinct,4}; journal {report}"));
        }

        agent.Start();
        await feeding;
        await Poll.UntilAsync(() => consumer.Distinct >= Pairs, TimeSpan.FromSeconds(180), () => $"{consumer.Distinct}/{Pairs} verdicts after the last restart", () => agent.ExitedUnexpectedly);
        await Task.Delay(2500); // the last PUBACKs mark the journal and a retention pass archives them
        var exitCode = agent.Stop();
        var counters = fs.Stop();

        var received = consumer.Snapshot();
        var journal = JournalCheck.Check(Path.Combine(fs.BackingDirectory, "data", "edgeagent.db"));
        var judged = journal.Records.Where(r => r.Judged).ToList();
        var journalIds = judged.Select(r => r.Id).ToHashSet();
        var recordsPerPair = judged.GroupBy(r => r.ImagePath).ToDictionary(g => g.Key, g => g.Count());
        var idsByImage = received.IdsByImage();
        var underTwoIds = idsByImage.Count(g => g.Count() > 1);
        var lost = judged.Count(r => !received.DeliveriesById.ContainsKey(r.Id)) + feeder.ImagePaths.Count(p => !recordsPerPair.ContainsKey(p));
        var foreignIds = received.ById.Keys.Count(id => !journalIds.Contains(id));
        var dataSyncs = counters.SyncsOf("/data/edgeagent.db");
        FaultSummary.Report(output, scenario, Pairs, lost, received.Duplicates, clock.Elapsed, string.Create(CultureInfo.InvariantCulture,
            $"{fs.Cuts} cuts; {underTwoIds} pairs under two ids; {judged.Count} judged records for {recordsPerPair.Count} pairs ({journal.Archived} archived); " +
            $"{checks.Count}/{Cuts} reopens consistent; journal fsyncs {dataSyncs / (double)Pairs:F1}/pair, log fsyncs {counters.SyncsOf("/data/edgeagent-log.db")}; {counters.Undone} dir ops undone"));

        Assert.Equal(Cuts, fs.Cuts);
        Assert.Equal(0, lost);
        Assert.Equal(0, underTwoIds);
        Assert.Equal(Cuts, checks.Count);
        Assert.Equal(Pairs, journal.Documents);
        Assert.All(feeder.ImagePaths, p => Assert.Equal(1, recordsPerPair.GetValueOrDefault(p)));
        Assert.Equal((0, 0, 0), (journal.Seen, journal.Pending, journal.InBoth));
        Assert.Equal(0, foreignIds);
        Assert.Equal(0, received.Unparsable);
        Assert.Equal(0, exitCode);
    }
}
