using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeAgent.Decisions;
using EdgeAgent.FaultInjection.Tests.Support;
using EdgeAgent.Messaging.Broker;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Xunit.Abstractions;

namespace EdgeAgent.FaultInjection.Tests.Scenarios;

/// <summary>
/// Scenario 5: operators' decisions stream into the dashboard's API (a script with an operator's personal token, as
/// fast as a busy review station) while pairs flow and the agent is SIGKILLed at seeded-random moments. A decision the
/// API answered 200 for was forced to disk first, so it must be in the journal and on <c>…/decision</c> at the end; a
/// request whose answer the kill swallowed is sent again and must get 409 (stored before) or 200 (not stored), never a
/// second decision for the same verdict.
/// </summary>
[Trait("Category", "Integration")]
[Collection(FaultInjectionCollection.Name)]
public sealed class DecisionKillTests(StagedPairs staged, ITestOutputHelper output) : IDisposable
{
    private const int Pairs = 400;
    private const int Kills = 8;
    private const int HeldBack = 40; // written after the last kill, so the stream outlasts the kills
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Run_KilledWhileDecisionsStream_EveryAcknowledgedDecisionIsStoredOnceAndPublished()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(20261207);
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var port = EmbeddedBroker.FreePort();
        var config = new AgentConfig(_temp.Sub("aoi"), _temp.Sub("data"), broker.Port, "decide") { DashboardUrls = $"http://127.0.0.1:{port}" };
        var configPath = config.Write(Path.Combine(_temp.Path, "agent.json"));
        var token = OperatorToken(configPath);
        await using var consumer = await DurableConsumer.StartAsync(broker.Port, config.VerdictTopic, "fi-decision-consumer", config.DecisionTopic);
        using var agent = new AgentRunner(configPath, Path.Combine(_temp.Path, "agent.log"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var feeder = new PairFeeder(staged, config.Watched, Pairs, pairsPerSecond: 10);
        using var stop = new CancellationTokenSource();
        var killsDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feeding = feeder.RunAsync(stop.Token, (HeldBack, killsDone.Task));
        var desk = new DecisionDesk(http, consumer);
        var deciding = desk.RunAsync(stop.Token);

        for (int kill = 1; kill <= Kills; kill++)
        {
            agent.Start();
            int before = desk.Answered;
            // A new decision answered, unless every pair written so far is decided already (the agent caught up with the feed).
            await Poll.UntilAsync(() => desk.Answered > before || desk.Answered >= feeder.Written,
                TimeSpan.FromSeconds(90), () => $"a decision answered after start {kill}", () => agent.ExitedUnexpectedly);
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 2500));
            await Task.Delay(delay);
            agent.Kill();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kill {kill} at {clock.Elapsed.TotalSeconds,5:F1} s (+{delay.TotalMilliseconds,4:F0} ms): verdicts {consumer.Distinct}, decisions stored {desk.Stored.Count}, 409 {desk.Conflicts}, failed requests {desk.Failures}"));
        }

        killsDone.SetResult();
        agent.Start();
        await feeding;
        await Poll.UntilAsync(() => consumer.Distinct >= Pairs && desk.Answered >= Pairs, TimeSpan.FromSeconds(240),
            () => $"{consumer.Distinct}/{Pairs} verdicts, {desk.Answered}/{Pairs} decided", () => agent.ExitedUnexpectedly);
        await stop.CancelAsync();
        await deciding;
        var acknowledged = desk.Stored;
        await Poll.UntilAsync(() => acknowledged.Keys.All(consumer.Decisions().ContainsKey), TimeSpan.FromSeconds(60),
            () => $"{acknowledged.Keys.Count(consumer.Decisions().ContainsKey)}/{acknowledged.Count} acknowledged decisions on MQTT", () => agent.ExitedUnexpectedly);
        await Task.Delay(500); // the last PUBACKs mark the journal
        var exitCode = agent.Stop();

        using var log = VerdictLog.OpenReadOnly(config.DatabasePath);
        var journal = log.Decisions(limit: int.MaxValue);
        var perVerdict = journal.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Count());
        var published = consumer.Decisions();
        var lost = acknowledged.Keys.Count(id => !published.ContainsKey(id) || journal.All(d => d.DecisionId != id));
        var twice = perVerdict.Count(p => p.Value > 1);
        FaultSummary.Report(output, "5 decisions while SIGKILL x8", acknowledged.Count + desk.Conflicts, lost, twice, clock.Elapsed,
            $"{acknowledged.Count} decisions answered 200, {desk.Conflicts} re-sent and answered 409; {journal.Count} in the journal for {perVerdict.Count} verdicts, {published.Count} on MQTT; {desk.Failures} requests lost to kills");

        Assert.Equal(0, lost);
        Assert.Equal(0, twice); // a retry never made a second decision
        Assert.True(desk.Failures > 0, "no request met a kill: the scenario tested nothing");
        Assert.Equal(Pairs, perVerdict.Count);
        Assert.All(journal, d => Assert.True(published.ContainsKey(d.DecisionId), $"decision {d.DecisionId} stored but never published"));
        Assert.All(acknowledged, a => Assert.Equal(a.Value, journal.Single(d => d.DecisionId == a.Key).Decision));
        Assert.True(exitCode == 0, $"agent exited with {exitCode}: {agent.LogTail(80)}");
    }

    public void Dispose() => _temp.Dispose();

    private string OperatorToken(string configPath)
    {
        var password = Path.Combine(_temp.Path, "password.txt");
        File.WriteAllText(password, "correct horse battery staple\n");
        Assert.Equal(0, AgentProcess.Run("users", "add", "oscar", "--role", "operator", "--password-file", password, "--config", configPath).ExitCode);
        var (exitCode, token, error) = AgentProcess.Run("users", "token", "oscar", "--config", configPath);
        Assert.True(exitCode == 0, error);
        return token.Trim().Split('\n')[^1].Trim();
    }

    /// <summary>
    /// The review station: decides every verdict the line received, OK or NG by the id's parity, one request at a
    /// time, and sends a request again when the agent did not answer it.
    /// </summary>
    private sealed class DecisionDesk(HttpClient http, DurableConsumer consumer)
    {
        private readonly Dictionary<string, string> _answered = new(StringComparer.Ordinal); // verdict id → decision id or "409"
        private readonly Dictionary<string, OperatorDecision> _stored = new(StringComparer.Ordinal);
        private int _answeredCount;
        private int _conflicts;
        private int _failures;

        /// <summary>Verdicts the agent answered a decision for (200 or 409).</summary>
        public int Answered => Volatile.Read(ref _answeredCount);

        public int Conflicts => Volatile.Read(ref _conflicts);

        public int Failures => Volatile.Read(ref _failures);

        /// <summary>Decision id → what was decided, for every decision answered 200.</summary>
        public IReadOnlyDictionary<string, VerdictKind> Stored
        {
            get
            {
                lock (_stored)
                {
                    return _stored.ToDictionary(s => s.Key, s => s.Value.Decision, StringComparer.Ordinal);
                }
            }
        }

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var next = consumer.Snapshot().ById.Keys.Where(id => !_answered.ContainsKey(id)).Order(StringComparer.Ordinal).FirstOrDefault();
                if (next is null)
                {
                    await Pause(stop, 50);
                    continue;
                }

                var decision = next[^1] % 2 == 0 ? "OK" : "NG";
                try
                {
                    using var body = new StringContent($$"""{"decision":"{{decision}}","comment":"fault scenario"}""", Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync(new Uri($"/api/verdicts/{next}/decision", UriKind.Relative), body, stop);
                    var text = await response.Content.ReadAsStringAsync(stop);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var stored = JsonSerializer.Deserialize(text, DecisionJsonContext.Default.OperatorDecision)!;
                        lock (_stored)
                        {
                            _stored[stored.DecisionId] = stored;
                        }

                        _answered[next] = stored.DecisionId;
                        Interlocked.Increment(ref _answeredCount);
                    }
                    else if (response.StatusCode == HttpStatusCode.Conflict)
                    {
                        _answered[next] = "409";
                        Interlocked.Increment(ref _conflicts);
                        Interlocked.Increment(ref _answeredCount);
                    }
                    else
                    {
                        // 503 while the agent starts (the journal not open yet), 404 for a verdict published before the
                        // dashboard knew it: asked again later.
                        Interlocked.Increment(ref _failures);
                        await Pause(stop, 100);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _failures); // the agent is down or died mid-request: the same decision again later
                    await Pause(stop, 100);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private static async Task Pause(CancellationToken stop, int ms)
        {
            try
            {
                await Task.Delay(ms, stop);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }
}
