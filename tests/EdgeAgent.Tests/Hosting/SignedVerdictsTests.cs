using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Hosting;

/// <summary>
/// Issue 17, hole 4, end to end: the real agent publishes signed verdicts through a real mosquitto; a spoofer that knows
/// the real verdicts' ids (here: read from the journal before the agent may reach the broker, which guessing can no
/// longer do) publishes fake OKs under them first. Consumers that de-duplicate on the id alone keep the fakes; a consumer
/// that verifies first and de-duplicates second, in C# and with the README's Python example, keeps every real verdict.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SignedVerdictsTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly TempFolder _temp = new();
    private readonly MosquittoBroker _broker;

    public SignedVerdictsTests(ITestOutputHelper output)
    {
        _output = output;
        _broker = new MosquittoBroker(_temp.Sub("broker"));
    }

    [Fact]
    public async Task Run_SpoofsPublishedFirstUnderRealIds_EveryRealVerdictVerifiesAndVerifyThenDedupeKeepsIt()
    {
        var staging = _temp.Sub("staging");
        var truth = SyntheticDataset.Write(staging, new SyntheticDatasetOptions { Count = 6, NgFraction = 0.5, Seed = 1717 });
        var watched = _temp.Sub("aoi");
        var data = _temp.Sub("data");
        using var gate = new TcpGate(_broker.Port);
        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = gate.Port, Site = "sig", Area = "a", Line = "l", Station = "s" };
        var topics = new Topics(mqtt);
        await using var recorder = await TopicRecorder.StartAsync(_broker.Port, topics.Verdict, topics.State);

        var settings = AgentHost.SettingsFor(watched, data, mqtt);
        settings["Ingest:RescanInterval"] = "00:00:01";
        settings["Ingest:IncompleteTimeout"] = "00:00:02";
        settings["Model:Path"] = RepoPaths.DefaultModel;
        settings["Mqtt:ReconnectMinDelay"] = "00:00:00.100";
        settings["Mqtt:ReconnectMaxDelay"] = "00:00:00.300";
        using var host = AgentHost.Build(null, settings);
        await host.StartAsync();
        AoiFiles.CopyLikeAnAoi(staging, truth.SelectMany(p => new[] { p.ImagePath, p.TemplatePath }), watched);
        WriteTruncatedPair(watched); // an ERROR verdict for certain, whatever the model says of the others
        var expected = truth.Count + 1;

        // The agent judges and stores every pair but cannot reach the broker yet.
        var journal = host.Services.GetRequiredService<VerdictLog>();
        for (var deadline = DateTime.UtcNow.AddSeconds(120); journal.Find(new VerdictQuery(Limit: 100)).Count < expected;)
        {
            Assert.True(DateTime.UtcNow < deadline, "the agent did not judge every pair within 120 s");
            await Task.Delay(100);
        }

        var stored = journal.Find(new VerdictQuery(Limit: 100));
        var notOk = stored.Where(v => v.Outcome != Verdicts.VerdictKind.Ok).ToList();
        Assert.NotEmpty(notOk);

        // The consumer pins the key `edgeagent keys show` prints on the box; it works while the agent runs.
        var (code, shown, stderr) = AgentProcess.Run("keys", "show", "--json", "--data-dir", data);
        Assert.True(code == 0, stderr);
        using var keyJson = JsonDocument.Parse(shown);
        var keyId = keyJson.RootElement.GetProperty("keyId").GetString()!;
        var publicKeyBase64 = keyJson.RootElement.GetProperty("publicKey").GetString()!;
        var publicKey = Convert.FromBase64String(publicKeyBase64);

        using var python = StartPythonConsumer(topics.Root, publicKeyBase64, expected);

        // Spoofs first: a fake OK under each real NG/ERROR id, one with no signature, one with the box's kid and a copied-shape signature.
        foreach (var verdict in notOk)
        {
            await SpoofAsync(topics.Verdict, verdict.Id, verdict.PairId, keyId);
        }

        gate.Open();
        var consumed = await python.CompletedAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); recorder.Messages.Count(m => m.Topic == topics.Verdict) < expected + notOk.Count;)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {recorder.Messages.Count(m => m.Topic == topics.Verdict)} verdict messages arrived");
            await Task.Delay(50);
        }

        await host.StopAsync();

        var verdicts = recorder.Messages.Where(m => m.Topic == topics.Verdict).ToList();
        var real = verdicts.Where(m => m.VerifiesWith(publicKey, keyId)).ToList();
        var spoofs = verdicts.Except(real).ToList();
        // Every message the agent published verifies; none of the spoofs does.
        Assert.Equal(stored.Select(v => v.Id).Order(), real.Select(IdOf).Distinct().Order());
        Assert.Equal(notOk.Count, spoofs.Count);
        Assert.All(spoofs, s => Assert.Equal("OK", OutcomeOf(s)));

        // The spoofs did arrive first: keeping the first message per id hands every attacked id to the spoofer...
        var firstPerId = verdicts.GroupBy(IdOf).ToDictionary(g => g.Key, g => OutcomeOf(g.First()));
        Assert.All(notOk, v => Assert.Equal("OK", firstPerId[v.Id]));
        // ...while verify, then de-duplicate, keeps each real verdict.
        var verifiedFirst = verdicts.Where(m => m.VerifiesWith(publicKey, keyId)).GroupBy(IdOf).ToDictionary(g => g.Key, g => OutcomeOf(g.First()));
        Assert.Equal(stored.ToDictionary(v => v.Id, v => Outcome(v.Outcome)), verifiedFirst);

        // The retained state names the key and is signed with it.
        await using (var late = await TopicRecorder.StartAsync(_broker.Port, topics.State))
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(10); late.Messages.Count == 0;)
            {
                Assert.True(DateTime.UtcNow < deadline, "no retained state");
                await Task.Delay(20);
            }

            var state = late.Messages[0];
            Assert.True(state.Retained);
            Assert.Equal((publicKeyBase64, keyId), (state.Property(BoxSigner.PublicKeyProperty), state.Property(BoxSigner.KeyIdProperty)));
            Assert.True(state.VerifiesWith(publicKey, keyId));
        }

        // The README's Python example, run against the same broker, kept exactly the real verdicts.
        _output.WriteLine(consumed.Stdout);
        Assert.True(consumed.ExitCode == 0, consumed.Stdout + consumed.Stderr);
        var kept = consumed.Stdout.Split('\n').Where(l => l.StartsWith("VERDICT ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToDictionary(p => p[1], p => p[2]);
        Assert.Equal(stored.ToDictionary(v => v.Id, v => Outcome(v.Outcome)), kept);
        Assert.Equal(notOk.Count, consumed.Stdout.Split('\n').Count(l => l.StartsWith("DROPPED ", StringComparison.Ordinal)));
    }

    public void Dispose()
    {
        _broker.Dispose();
        _temp.Dispose();
    }

    private static string IdOf(ReceivedMessage m) => JsonDocument.Parse(m.Payload).RootElement.GetProperty("id").GetString()!;

    private static string OutcomeOf(ReceivedMessage m) => JsonDocument.Parse(m.Payload).RootElement.GetProperty("verdict").GetString()!;

    private static string Outcome(Verdicts.VerdictKind kind) => kind.ToString().ToUpperInvariant();

    // Another client, with no credentials of the box: what anyone on an open broker can do.
    private async Task SpoofAsync(string topic, string id, string pairId, string keyId)
    {
        using var spoofer = new MqttClientFactory().CreateMqttClient();
        await spoofer.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithProtocolVersion(MqttProtocolVersion.V500).Build());
        var payload = Encoding.UTF8.GetBytes($$"""{"schema":"edgeagent.verdict/4","id":"{{id}}","pairId":"{{pairId}}","verdict":"OK","reason":null}""");
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithUserProperty("kid", Encoding.ASCII.GetBytes(keyId))
            .WithUserProperty("sig", Encoding.ASCII.GetBytes(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64))))
            .Build();
        var result = await spoofer.PublishAsync(message);
        Assert.True(result.IsSuccess, result.ReasonCode.ToString());
        await spoofer.DisconnectAsync();
    }

    private PythonConsumer StartPythonConsumer(string root, string publicKey, int count)
    {
        var start = new ProcessStartInfo(RepoPaths.DebianPython) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(RepoPaths.Root, "docs", "verify_verdicts.py"), "--host", "127.0.0.1", "--port", _broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--root", root, "--public-key", publicKey, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "150" })
        {
            start.ArgumentList.Add(arg);
        }

        return new PythonConsumer(start);
    }

    private static void WriteTruncatedPair(string watched)
    {
        var bad = Path.Combine(watched, "BAD");
        Directory.CreateDirectory(bad);
        var png = File.ReadAllBytes(Directory.EnumerateFiles(watched, "*_image.png", SearchOption.AllDirectories).First());
        File.WriteAllBytes(Path.Combine(bad, "cut_template.png"), png);
        File.WriteAllBytes(Path.Combine(bad, "cut_image.png"), png[..(png.Length / 3)]);
    }

    /// <summary>docs/verify_verdicts.py as a consumer process: started, then ready once it has subscribed.</summary>
    private sealed class PythonConsumer : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PythonConsumer(ProcessStartInfo start)
        {
            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (_stdout)
                {
                    _stdout.AppendLine(e.Data);
                }

                if (e.Data == "READY")
                {
                    _ready.TrySetResult();
                }
            };
            _process.Start();
            _process.BeginOutputReadLine();
            if (!_ready.Task.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("the Python consumer did not subscribe: " + _process.StandardError.ReadToEnd());
            }
        }

        public async Task<(int ExitCode, string Stdout, string Stderr)> CompletedAsync()
        {
            var stderr = _process.StandardError.ReadToEndAsync();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
            lock (_stdout)
            {
                return (_process.ExitCode, _stdout.ToString(), stderr.Result);
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
