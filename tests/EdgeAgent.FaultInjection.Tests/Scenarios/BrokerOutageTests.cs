using System.Diagnostics;
using EdgeAgent.FaultInjection.Tests.Support;
using EdgeAgent.Testing;
using Xunit.Abstractions;

namespace EdgeAgent.FaultInjection.Tests.Scenarios;

/// <summary>
/// Scenario 1: the broker goes away for 15 s in the middle of a 1,000-pair stream and comes back. The agent
/// must keep judging and storing, and its outbox must deliver every verdict once the broker is back.
/// </summary>
[Trait("Category", "Integration")]
[Collection(FaultInjectionCollection.Name)]
public sealed class BrokerOutageTests(StagedPairs staged, ITestOutputHelper output) : IDisposable
{
    private const int Pairs = 1000;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(15);
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Run_BrokerStoppedFifteenSecondsMidStream_EveryVerdictDeliveredNoneLost()
    {
        var clock = Stopwatch.StartNew();
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var config = new AgentConfig(_temp.Sub("aoi"), _temp.Sub("data"), broker.Port, "outage") { AfterProcessing = "Move" };
        await using var consumer = await DurableConsumer.StartAsync(broker.Port, config.VerdictTopic, "fi-outage-consumer");
        using var agent = new AgentRunner(config.Write(Path.Combine(_temp.Path, "agent.json")), Path.Combine(_temp.Path, "agent.log"));
        var feeder = new PairFeeder(staged, config.Watched, Pairs, pairsPerSecond: 40);
        using var stopFeeding = new CancellationTokenSource();

        agent.Start();
        var feeding = feeder.RunAsync(stopFeeding.Token);
        await Poll.UntilAsync(() => consumer.Distinct >= Pairs / 4, TimeSpan.FromSeconds(120), () => $"{consumer.Distinct} verdicts before the outage", () => agent.ExitedUnexpectedly);
        var stoppedAt = DateTimeOffset.UtcNow;
        broker.Stop();
        await Task.Delay(Outage);
        var deliveredBeforeRestart = consumer.Distinct;
        var restartedAt = DateTimeOffset.UtcNow;
        broker.Start();
        await feeding;
        await Poll.UntilAsync(() => consumer.Distinct >= Pairs, TimeSpan.FromSeconds(180), () => $"{consumer.Distinct}/{Pairs} verdicts after the outage; agent: {agent.LogTail(10)}", () => agent.ExitedUnexpectedly);
        await Task.Delay(500); // the last PUBACKs reach the agent and mark the journal
        // A pair is moved out of the folder after its verdict is published; on a loaded box the last move can trail it.
        await Poll.UntilAsync(() => LeftInFolder(config) == 0, TimeSpan.FromSeconds(30), () => $"{LeftInFolder(config)} image(s) still in the watched folder", () => agent.ExitedUnexpectedly);
        var exitCode = agent.Stop();

        var received = consumer.Snapshot();
        var journal = JournalCheck.Check(config.DatabasePath);
        var journalIds = journal.Records.Where(r => r.Judged).Select(r => r.Id).ToHashSet();
        var receivedImages = received.IdsByImage();
        var lost = journalIds.Count(id => !received.DeliveriesById.ContainsKey(id)) + feeder.ImagePaths.Count(path => !receivedImages.Contains(path));
        var judgedDuringOutage = journal.Records.Count(r => r.Verdict?.JudgedAt is { } at && at > stoppedAt && at < restartedAt);
        var leftInFolder = LeftInFolder(config);
        FaultSummary.Report(output, "1 broker stopped 15 s mid-stream", Pairs, lost, received.Duplicates, clock.Elapsed,
            $"{received.DeliveriesById.Count}/{Pairs} delivered; {judgedDuringOutage} judged while broker down; {received.OutOfOrder()} out of order; consumer sessions lost {consumer.SessionsLost}");

        Assert.Equal(0, lost);
        Assert.True(deliveredBeforeRestart < Pairs, "the outage ended after the stream: it tested nothing");
        Assert.True(judgedDuringOutage > 0, "the agent judged nothing while the broker was down");
        Assert.Equal(0, consumer.SessionsLost);
        Assert.Equal(0, received.Unparsable);
        Assert.Equal(Pairs, received.DeliveriesById.Count);
        Assert.Equal(Pairs, journal.Documents);
        Assert.Equal((Pairs, 0, 0), (journal.Judged, journal.Seen, journal.Pending));
        Assert.Equal(0, received.OutOfOrder()); // README: the outbox sends in sequence order after reconnection
        Assert.Equal(0, leftInFolder); // AfterProcessing: Move took every judged pair out of the watched folder
        Assert.Equal(0, exitCode);
    }

    public void Dispose() => _temp.Dispose();

    private static int LeftInFolder(AgentConfig config) => WatchedFolder.Unmoved(config.Watched, "*.png");
}
