using System.Text.Json.Nodes;
using EdgeAgent.FaultInjection.Tests.Support;
using EdgeAgent.Messaging.Sparkplug;
using EdgeAgent.Telemetry;
using EdgeAgent.Testing;
using Org.Eclipse.Tahu.Protobuf;
using Xunit.Abstractions;

namespace EdgeAgent.FaultInjection.Tests.Scenarios;

/// <summary>
/// The Sparkplug B edge node of a real agent process against a real mosquitto, as a host application sees it: every
/// payload decoded with the classes generated from the specification's proto. Births, data with a gapless
/// <c>seq</c> after pairs are judged, a rebirth on request, the NDEATH the broker sends for a SIGKILLed agent with the
/// birth's <c>bdSeq</c>, and the next <c>bdSeq</c> after the restart.
/// </summary>
[Trait("Category", "Integration")]
[Collection(FaultInjectionCollection.Name)]
public sealed class SparkplugTests(StagedPairs staged, ITestOutputHelper output) : IDisposable
{
    private const int PairCount = 12;
    private const string Node = "spBv1.0/EdgeAgent/{0}/fi-l-spb"; // group default, edge node {site}-{line}-{station}
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Run_SparkplugEnabled_BirthsDataRebirthAndAfterSigkillTheNdeathCarriesTheBirthsBdSeq()
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var config = new AgentConfig(_temp.Sub("aoi"), _temp.Sub("data"), broker.Port, "spb");
        var configPath = WithSparkplug(config.Write(Path.Combine(_temp.Path, "agent.json")));
        await using var verdicts = await DurableConsumer.StartAsync(broker.Port, config.VerdictTopic, "fi-spb-consumer");
        await using var host = await SparkplugListener.StartAsync(broker.Port);
        using var agent = new AgentRunner(configPath, Path.Combine(_temp.Path, "agent.log"));

        // Births.
        agent.Start();
        await Poll.UntilAsync(() => Count(host, "DBIRTH") == 1, Patience, () => Describe(host), () => agent.ExitedUnexpectedly);
        var nbirth = host.Messages.Single(m => m.Verb == "NBIRTH");
        Assert.Equal(string.Format(null, Node, "NBIRTH"), nbirth.Topic);
        Assert.True(nbirth.Payload.HasSeq);
        Assert.Equal(0UL, nbirth.Payload.Seq);
        Assert.True(nbirth.Payload.HasTimestamp);
        Assert.Equal((uint)DataType.Int64, nbirth.Metric(SparkplugMetrics.BdSeq)!.Datatype);
        Assert.Equal(0, nbirth.BdSeq); // a new box starts the sequence at 0
        var rebirth = nbirth.Metric(SparkplugMetrics.Rebirth)!;
        Assert.Equal(((uint)DataType.Boolean, false), (rebirth.Datatype, rebirth.BooleanValue));
        var dbirth = host.Messages.Single(m => m.Verb == "DBIRTH");
        Assert.Equal(string.Format(null, Node, "DBIRTH") + "/edgeagent", dbirth.Topic);
        Assert.Equal(ExpectedNames, dbirth.Payload.Metrics.Select(m => m.Name));
        Assert.All(dbirth.Payload.Metrics, m => Assert.True(m.HasDatatype && m.HasTimestamp, m.Name));
        Assert.True(dbirth.Metric("Last Verdict/Id")!.IsNull);

        // Data after real verdicts: the last one stored is the last reported.
        await new PairFeeder(staged, config.Watched, PairCount, pairsPerSecond: 10).RunAsync(CancellationToken.None);
        await Poll.UntilAsync(() => verdicts.Distinct >= PairCount, Patience, () => $"{verdicts.Distinct}/{PairCount} JSON verdicts", () => agent.ExitedUnexpectedly);
        var last = verdicts.Snapshot().ById.Values.MaxBy(v => v.Seq)!;
        await Poll.UntilAsync(() => Latest(host, "Pairs/Total")?.LongValue == PairCount && Latest(host, "Last Verdict/Id")?.StringValue == last.Id, Patience,
            () => $"DDATA with {PairCount} pairs and last verdict {last.Id}: {Describe(host)}", () => agent.ExitedUnexpectedly);
        Assert.Equal(AgentMetrics.VerdictTag(last.Outcome), Latest(host, "Last Verdict/Verdict")!.StringValue);
        Assert.Equal(last.Score, Latest(host, "Last Verdict/Score") is { IsNull: false } score ? score.DoubleValue : null);
        var data = host.Messages.Where(m => m.Verb == "DDATA").ToList();
        Assert.NotEmpty(data);
        Assert.All(data.SelectMany(m => m.Payload.Metrics), m => Assert.True(!m.HasDatatype && m.HasTimestamp && m.HasName, m.Name));
        long okToError = new[] { "OK", "NG", "REVIEW", "ERROR" }.Sum(v => (long)Latest(host, "Pairs/" + v)!.LongValue);
        Assert.Equal(PairCount, okToError);

        // Rebirth on request: same bdSeq (no new MQTT session), seq from 0 again, every metric with its current value.
        await host.RequestRebirthAsync(string.Format(null, Node, "NCMD"));
        await Poll.UntilAsync(() => Count(host, "DBIRTH") == 2, Patience, () => Describe(host), () => agent.ExitedUnexpectedly);
        var reborn = host.Messages.Where(m => m.Verb == "NBIRTH").ToList();
        Assert.Equal((0, 0UL), (reborn[1].BdSeq, reborn[1].Payload.Seq));
        var redbirth = host.Messages.Last(m => m.Verb == "DBIRTH");
        Assert.Equal(last.Id, redbirth.Metric("Last Verdict/Id")!.StringValue);
        Assert.Equal((ulong)PairCount, redbirth.Metric("Pairs/Total")!.LongValue);

        // SIGKILL: the broker publishes the will, the NDEATH with the birth's bdSeq and no seq.
        agent.Kill();
        await Poll.UntilAsync(() => Count(host, "NDEATH") == 1, Patience, () => Describe(host));
        var death = host.Messages.Single(m => m.Verb == "NDEATH");
        Assert.Equal(string.Format(null, Node, "NDEATH"), death.Topic);
        Assert.Equal(nbirth.BdSeq, death.BdSeq);
        Assert.False(death.Payload.HasSeq);

        // The restarted agent goes on with the next bdSeq, so a host never takes the old will for the new session.
        agent.Start();
        await Poll.UntilAsync(() => Count(host, "DBIRTH") == 3, Patience, () => Describe(host), () => agent.ExitedUnexpectedly);
        Assert.Equal(1, host.Messages.Last(m => m.Verb == "NBIRTH").BdSeq);
        Assert.Equal(0, agent.Stop());
        await Poll.UntilAsync(() => host.Messages.Any(m => m.Verb == "NDEATH" && m.BdSeq == 1), Patience, () => Describe(host));

        AssertSeqGapless(host.Messages);
        output.WriteLine(Describe(host));
    }

    public void Dispose() => _temp.Dispose();

    private static readonly string[] ExpectedNames =
    [
        "State", "Model/Name", "Model/Version", "Model/Provider", "Pairs/Total", "Pairs/OK", "Pairs/NG", "Pairs/REVIEW", "Pairs/ERROR",
        "Outbox/Backlog", "Drift/State", "Drift/Alarms", "Last Verdict/Id", "Last Verdict/Verdict", "Last Verdict/Score",
        "Last Verdict/Product", "Last Verdict/Judged At",
    ];

    // Every message from the node after an NBIRTH (seq 0) carries the previous seq + 1, modulo 256.
    private static void AssertSeqGapless(IReadOnlyList<SparkplugMessage> messages)
    {
        ulong? previous = null;
        foreach (var m in messages.Where(m => m.Verb is "NBIRTH" or "DBIRTH" or "DDATA"))
        {
            ulong expected = m.Verb == "NBIRTH" ? 0 : (previous!.Value + 1) % 256;
            Assert.True(m.Payload.Seq == expected, $"{m.Verb} seq {m.Payload.Seq}, expected {expected}");
            previous = m.Payload.Seq;
        }
    }

    // Adds the Sparkplug section to the fault-injection config (a short report interval: DDATA follows verdicts quickly).
    private static string WithSparkplug(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["Sparkplug"] = new JsonObject { ["Enabled"] = true, ["ReportInterval"] = "00:00:00.200" };
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    private static int Count(SparkplugListener host, string verb) => host.Messages.Count(m => m.Verb == verb);

    // The value a host holds for a device metric: the last birth or data message that carried it.
    private static Payload.Types.Metric? Latest(SparkplugListener host, string name) =>
        host.Messages.Where(m => m.Verb is "DBIRTH" or "DDATA").Select(m => m.Metric(name)).LastOrDefault(m => m is not null);

    private static string Describe(SparkplugListener host) =>
        string.Join(", ", host.Messages.Select(m => m.Payload.HasSeq ? $"{m.Verb}#{m.Payload.Seq}" : m.Verb));
}
