using System.Diagnostics;
using System.IO.Compression;
using EdgeAgent.FaultInjection.Tests.Support;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Packages;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Vision.Synthetic;
using Xunit.Abstractions;

namespace EdgeAgent.FaultInjection.Tests.Scenarios;

/// <summary>
/// Scenario 6: a technician pushes models to a running agent over a real mosquitto whose packet limit (1 MiB)
/// is far below the package (about 20 MB), while 1,000 pairs stream through. A tampered push is refused, a
/// signed one is activated between two pairs, then a rollback command puts the first version back. Every
/// verdict must arrive, labelled with the version that judged it, and the labels must change exactly
/// twice in sequence order.
/// </summary>
[Trait("Category", "Integration")]
[Collection(FaultInjectionCollection.Name)]
public sealed class ModelPushTests(StagedPairs staged, ITestOutputHelper output) : IDisposable
{
    private const int Pairs = 1000;
    private const int BrokerPacketLimit = 1024 * 1024;
    private static readonly TimeSpan Answer = TimeSpan.FromMinutes(3);
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Push_SignedModelLargerThanThePacketLimitMidStream_SwitchesBetweenPairsNoneLostAndRollsBack()
    {
        var clock = Stopwatch.StartNew();
        using var broker = new MosquittoBroker(_temp.Sub("broker"), $"max_packet_size {BrokerPacketLimit}");
        using var technician = SigningKey.Generate();
        technician.Save(Path.Combine(_temp.Sub("trusted"), "technician.key"), Path.Combine(_temp.Sub("trusted"), "technician.pub"));
        var config = new AgentConfig(_temp.Sub("aoi"), _temp.Sub("data"), broker.Port, "push")
        {
            AfterProcessing = "Move",
            TrustedKeysFolder = _temp.Sub("trusted"),
            // The bundled model: the contract-test model scores every pair alike and could never pass a canary.
            ModelPath = RepoPaths.DefaultModel,
        };
        // The box's canary: known-good pairs of the line's size that every new model must pass.
        SyntheticDataset.Write(Path.Combine(config.DataDirectory, "canary"), new SyntheticDatasetOptions { Count = 4, NgFraction = 0, Seed = 5, Size = 352 });
        await using var consumer = await DurableConsumer.StartAsync(broker.Port, config.VerdictTopic, "fi-push-consumer");
        using var agent = new AgentRunner(config.Write(Path.Combine(_temp.Path, "agent.json")), Path.Combine(_temp.Path, "agent.log"));
        var feeder = new PairFeeder(staged, config.Watched, Pairs, pairsPerSecond: 25);

        agent.Start();
        var feeding = feeder.RunAsync(CancellationToken.None);
        await Poll.UntilAsync(() => consumer.Distinct >= 100, TimeSpan.FromSeconds(120), () => $"{consumer.Distinct} verdicts before the push", () => agent.ExitedUnexpectedly);
        var first = consumer.Snapshot().ById.Values.First().Model!;
        var signed = Package(first.Name, "2.0.0-fi", technician);
        var tampered = Tampered(Package(first.Name, "2.0.1-fi", technician));
        await using var sender = await ModelTransferSender.ConnectAsync(new Messaging.Connection.MqttOptions { Host = "127.0.0.1", Port = broker.Port }, config.TopicRoot, CancellationToken.None);

        var refused = await sender.PushAsync(tampered, 256 * 1024, "fi", Answer, null, CancellationToken.None);
        var pushed = await sender.PushAsync(signed, 256 * 1024, "fi", Answer, null, CancellationToken.None);
        var activatedAfter = consumer.Distinct;
        await Poll.UntilAsync(() => consumer.Distinct >= activatedAfter + 150, TimeSpan.FromSeconds(120), () => $"{consumer.Distinct} verdicts after the push", () => agent.ExitedUnexpectedly);
        var rolledBack = await sender.RollbackAsync(first.Name, "fi", technician, Answer, CancellationToken.None);
        await feeding;
        await Poll.UntilAsync(() => consumer.Distinct >= Pairs, TimeSpan.FromSeconds(180), () => $"{consumer.Distinct}/{Pairs} verdicts; agent: {agent.LogTail(10)}", () => agent.ExitedUnexpectedly);
        await Task.Delay(500); // the last PUBACKs reach the agent and mark the journal
        var exitCode = agent.Stop();

        var received = consumer.Snapshot();
        var lost = feeder.ImagePaths.Count(path => !received.IdsByImage().Contains(path));
        var labels = received.ById.Values.OrderBy(v => v.Seq).Select(v => v.Model?.Version ?? "none").ToList();
        var runs = Runs(labels);
        using var log = VerdictLog.Open(config.DatabasePath);
        var audit = log.AuditTrail(10).Select(a => a.Action).Reverse().ToList();
        var packageMb = new FileInfo(signed).Length / 1e6;
        FaultSummary.Report(output, "6 model push + rollback mid-stream", Pairs, lost, received.Duplicates, clock.Elapsed,
            $"{packageMb:0.0} MB package in {pushed.ChunksSent} chunks (broker limit 1 MiB): {pushed.Status.State}; tampered: {refused.Status.Reason}; "
            + $"labels in seq order {string.Join(" -> ", runs.Select(r => $"{r.Version} x{r.Count}"))}");

        Assert.Equal((ModelStates.Rejected, RejectionCode.Tampered), (refused.Status.State, refused.Status.Reason));
        Assert.True(pushed.Status.State == ModelStates.Activated, $"{pushed.Status.State} {pushed.Status.Reason} {pushed.Status.Detail}");
        Assert.True(pushed.ChunksSent > 1 && new FileInfo(signed).Length > BrokerPacketLimit);
        Assert.Equal(new StatusModel(first.Name, first.Version), rolledBack.Model);
        Assert.Equal(0, lost);
        Assert.Equal(Pairs, received.DeliveriesById.Count);
        Assert.DoesNotContain("none", labels);
        Assert.Equal([first.Version, "2.0.0-fi", first.Version], runs.Select(r => r.Version));
        Assert.Equal(["rejected", "pushed", "activated", "rolled-back"], audit);
        Assert.Equal(0, exitCode);
    }

    public void Dispose() => _temp.Dispose();

    private string Package(string name, string version, SigningKey key)
    {
        var path = Path.Combine(_temp.Path, $"{name}-{version}.eamodel");
        ModelPackageBuilder.Build(RepoPaths.DefaultModel, name, version, null, "fault injection", "fi", key, path);
        return path;
    }

    /// <summary>The package with one byte of its model flipped after signing.</summary>
    private static string Tampered(string package)
    {
        using var zip = ZipFile.Open(package, ZipArchiveMode.Update);
        var entry = zip.GetEntry(PackageLayout.ModelEntry)!;
        byte[] bytes;
        using (var stream = entry.Open())
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }

        bytes[bytes.Length / 2] ^= 0xFF;
        entry.Delete();
        using (var replaced = zip.CreateEntry(PackageLayout.ModelEntry).Open())
        {
            replaced.Write(bytes);
        }

        return package;
    }

    private static List<(string Version, int Count)> Runs(IEnumerable<string> labels)
    {
        var runs = new List<(string Version, int Count)>();
        foreach (var label in labels)
        {
            if (runs.Count > 0 && runs[^1].Version == label)
            {
                runs[^1] = (label, runs[^1].Count + 1);
            }
            else
            {
                runs.Add((label, 1));
            }
        }

        return runs;
    }
}
