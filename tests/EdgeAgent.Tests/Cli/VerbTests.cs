using System.Text.Json;
using EdgeAgent.Decisions;
using EdgeAgent.Host.Cli;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Tests.Cli;

/// <summary>The verbs as a technician runs them: a real process, its exit code and what it prints.</summary>
[Trait("Category", "Integration")]
public sealed class VerbTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void Run_MissingModel_ExitsWithConfigErrorAndOneClearMessage()
    {
        var config = WriteConfig($$$"""{"Model":{"Path":"{{{_temp.Path}}}/nope.onnx"},"Storage":{"DataDirectory":"{{{_temp.Path}}}/data"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"]}}""");

        var (code, _, stderr) = AgentProcess.Run("run", "--config", config);

        Assert.Equal(Verbs.ConfigError, code);
        Assert.Contains("cannot start: Model file not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidOption_ExitsWithConfigErrorNamingIt()
    {
        var config = WriteConfig($$$"""{"Mqtt":{"Port":0},"Storage":{"DataDirectory":"{{{_temp.Path}}}/data"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"]}}""");

        var (code, _, stderr) = AgentProcess.Run("run", "--config", config);

        Assert.Equal(Verbs.ConfigError, code);
        Assert.Contains("Port", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MalformedConfigFile_ExitsWithConfigError()
    {
        var config = WriteConfig("{ this is not json");

        var (code, _, stderr) = AgentProcess.Run("run", "--config", config);

        Assert.Equal(Verbs.ConfigError, code);
        Assert.Contains("cannot start", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SigTerm_StopsGracefullyWithExitCodeZero()
    {
        var (exitCode, output) = await SigTermAfterPrinted("Application started", TimeSpan.Zero, _temp.Sub("data"));

        Assert.True(exitCode == 0, $"exit {exitCode}: {output}");
    }

    [Fact]
    public async Task Run_SigTermWhileServicesStart_StopsWithExitCodeZeroNotAnAbort()
    {
        // A stop while the hosted services start cancelled the dashboard's start, the host rethrew that ("Hosting
        // failed to start") and the process aborted with 134. No line marks that window, so the stop comes ever later
        // after the trust list's warning (printed while the host is built) until one lands in it: after a hosted
        // service has started (the new box key is announced by one, in a fresh data directory each round) and before
        // the dashboard, the last one, listens.
        int round = 0;
        for (var delay = TimeSpan.Zero; delay < TimeSpan.FromSeconds(3); delay += TimeSpan.FromMilliseconds(40))
        {
            var (exitCode, output) = await SigTermAfterPrinted("Trusted model keys", delay, _temp.Sub($"data-{round++}"));
            var stopping = output.IndexOf("Application is shutting down", StringComparison.Ordinal);
            if (stopping < 0)
            {
                Assert.True(exitCode == 143, $"exit {exitCode} without a graceful stop: {output}"); // before .NET handles SIGTERM
                continue;
            }

            Assert.True(exitCode == 0, $"exit {exitCode} after {delay.TotalMilliseconds} ms: {output}");
            Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
            var servicesStarting = output.IndexOf("Made a new box signing key", StringComparison.Ordinal);
            var listening = output.IndexOf("Now listening on", StringComparison.Ordinal);
            if (servicesStarting >= 0 && servicesStarting < stopping && (listening < 0 || listening > stopping))
            {
                Assert.False(output.Contains("Hosting failed to start", StringComparison.Ordinal), $"a start failed after {delay.TotalMilliseconds} ms: {output}");
                return;
            }
        }

        Assert.Fail("no stop landed while the services started");
    }

    /// <summary>
    /// Runs the service and sends it SIGTERM, as systemd does on a stop, <paramref name="delay"/> after it prints
    /// <paramref name="text"/>; returns its exit code and all it printed.
    /// </summary>
    private async Task<(int ExitCode, string Output)> SigTermAfterPrinted(string text, TimeSpan delay, string dataDirectory)
    {
        var config = WriteConfig($$$"""{"Model":{"Path":"{{{RepoPaths.DefaultModel}}}"},"Mqtt":{"Port":1},"Storage":{"DataDirectory":"{{{dataDirectory}}}"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"]},"Models":{"TrustedKeysFolder":"{{{_temp.Path}}}/no-keys"},"Dashboard":{"Urls":"http://127.0.0.1:0"}}""");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { RepoPaths.AgentDll, "run", "--config", config })
        {
            start.ArgumentList.Add(arg);
        }

        using var agent = System.Diagnostics.Process.Start(start)!;
        var printed = new TaskCompletionSource();
        var output = new System.Text.StringBuilder();
        void Read(string? line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }

            if (line?.Contains(text, StringComparison.Ordinal) == true)
            {
                printed.TrySetResult();
            }
        }

        agent.OutputDataReceived += (_, e) => Read(e.Data);
        agent.ErrorDataReceived += (_, e) => Read(e.Data);
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        await printed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(delay);
        Signals.Terminate(agent.Id);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await agent.WaitForExitAsync(timeout.Token);
        agent.WaitForExit(); // flushes the redirected output
        lock (output)
        {
            return (agent.ExitCode, output.ToString());
        }
    }

    [Fact]
    public void Bench_FewPairs_PrintsEveryMeasurementAndTheRatio()
    {
        var (code, stdout, stderr) = AgentProcess.Run("bench", "--count", "6", "--lone", "2", "--size", "352", "--out", Path.Combine(_temp.Path, "bench"));

        Assert.True(code == 0, stderr);
        Assert.Contains("bare Run loop", stdout, StringComparison.Ordinal);
        Assert.Contains("alignment alone", stdout, StringComparison.Ordinal);
        Assert.Matches(@"pipeline \(burst\) +[0-9.]+ pairs/s +6 pairs in [0-9.]+ s, 6 scored; ratio to the bare Run loop [0-9.]+", stdout);
        Assert.Matches(@"latency file complete → verdict received: p50 [0-9.]+ ms", stdout);
        // The stage means come from the agent's own instruments: one decode per burst pair.
        Assert.Matches(@"from the agent's metrics \(edgeagent\.stage\.duration\), burst only, mean ms: decode [0-9.]+ \(×6\)  align [0-9.]+ \(×6\)", stdout);
    }

    [Fact]
    public void Doctor_HealthyBox_EveryCheckReportedAndNoFailure()
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var config = WriteConfig($$$"""{"Model":{"Path":"{{{RepoPaths.DefaultModel}}}","Provider":"Cpu"},"Mqtt":{"Host":"127.0.0.1","Port":{{{broker.Port}}}},"Storage":{"DataDirectory":"{{{_temp.Path}}}/data"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"],"AfterProcessing":"Move"}}""");

        var (code, stdout, stderr) = AgentProcess.Run("doctor", "--config", config);

        Assert.True(code is 0 or 1, stdout + stderr); // warnings allowed: no trusted keys or canary on a test box
        foreach (var check in new[] { "configuration", "watched folders", "inotify", "data directory", "drift", "broker", "model", "model store", "model push", "gpu", "clock" })
        {
            Assert.Matches($@"\[( OK |WARN)\] {check} ", stdout);
        }

        Assert.Contains($"127.0.0.1:{broker.Port} accepts MQTT 5 connections", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_ProductDriftingInTheJournal_WarnsNamingProductAndSeries()
    {
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            var drift = new EdgeAgent.Drift.DriftOptions();
            var detector = new EdgeAgent.Drift.DriftDetector(drift, new StationIdentity("t", "a", "l", "s"), new VerdictIdGenerator(TimeProvider.System), []);
            var step = detector.Observe(DriftingVerdicts.Stream(drift.Window + 100, shiftAt: drift.Window, gain: 1.3));
            log.AppendDrift(step.Events, detector.Products);
        }

        var config = WriteConfig($$$"""{"Model":{"Path":"{{{RepoPaths.DefaultModel}}}","Provider":"Cpu"},"Mqtt":{"Host":"127.0.0.1","Port":1},"Storage":{"DataDirectory":"{{{data}}}"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"]}}""");

        var (_, stdout, _) = AgentProcess.Run("doctor", "--config", config);

        Assert.Matches(@"\[WARN\] drift +UBM brightness [0-9.]+ beyond [0-9.]+ \(reference [0-9.]+\) since ", stdout);
        Assert.Contains("verdicts are unchanged", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_MissingFolderAndNoBroker_ExitsTwoAndSaysWhatToDo()
    {
        var config = WriteConfig($$$"""{"Model":{"Path":"{{{RepoPaths.DefaultModel}}}","Provider":"Cpu"},"Mqtt":{"Host":"127.0.0.1","Port":1},"Storage":{"DataDirectory":"{{{_temp.Path}}}/data"},"Ingest":{"Folders":["{{{_temp.Path}}}/nope"]}}""");

        var (code, stdout, _) = AgentProcess.Run("doctor", "--config", config);

        Assert.Equal(2, code);
        Assert.Contains("[FAIL] watched folders", stdout, StringComparison.Ordinal);
        Assert.Contains("/nope does not exist", stdout, StringComparison.Ordinal);
        Assert.Contains("[WARN] broker", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_InvalidDashboardSection_FailsConfigurationLikeTheServiceStart()
    {
        // Doctor validates what the service registers, not a list of its own (which once missed Dashboard).
        var config = WriteConfig($$$"""{"Model":{"Path":"{{{RepoPaths.DefaultModel}}}","Provider":"Cpu"},"Storage":{"DataDirectory":"{{{_temp.Path}}}/data"},"Dashboard":{"MaxScan":5}}""");

        var (code, stdout, _) = AgentProcess.Run("doctor", "--config", config);

        Assert.Equal(2, code);
        Assert.Contains("[FAIL] configuration", stdout, StringComparison.Ordinal);
        Assert.Contains("MaxScan", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_UnknownOption_ExitsWithUsageError()
    {
        var (code, _, stderr) = AgentProcess.Run("logs", "--verdcit", "NG");

        Assert.Equal(Verbs.UsageError, code);
        Assert.Contains("--verdcit", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_Json_PrintsTheContractFields()
    {
        var pairs = _temp.Sub("pairs");
        var truth = EdgeAgent.Vision.Synthetic.SyntheticDataset.Write(pairs, new() { Count = 1, NgFraction = 1, Seed = 5 })[0];

        var (code, stdout, stderr) = AgentProcess.Run("inspect", "--template", Path.Combine(pairs, truth.TemplatePath),
            "--image", Path.Combine(pairs, truth.ImagePath), "--model", RepoPaths.DefaultModel, "--json", "--heatmap", Path.Combine(_temp.Path, "heat.png"));

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("score").GetDouble() > 0);
        Assert.Contains(root.GetProperty("verdict").GetString(), new[] { "OK", "NG" });
        Assert.Equal(3, root.GetProperty("layers").GetArrayLength());
        Assert.True(root.GetProperty("threshold").GetDouble() > 0);
        Assert.Equal("stpm-r18-synth", root.GetProperty("model").GetProperty("name").GetString());
        var alignment = root.GetProperty("alignment");
        Assert.Equal(truth.Dx, alignment.GetProperty("dx").GetDouble(), 0.5);
        Assert.Equal(truth.Dy, alignment.GetProperty("dy").GetDouble(), 0.5);
        Assert.Equal(truth.AngleDeg, alignment.GetProperty("angle").GetDouble(), 0.1);
        Assert.InRange(alignment.GetProperty("confidence").GetDouble(), 0.5, 1);
        Assert.True(new FileInfo(Path.Combine(_temp.Path, "heat.png")).Length > 1000);
    }

    [Fact]
    public void Logs_FilteredByVerdict_PrintsOnlyMatchingRecords()
    {
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            log.Append([(Make("01A", VerdictKind.Ok), "k1"), (Make("01B", VerdictKind.Ng), "k2"), (Make("01C", VerdictKind.Error), "k3")]);
        }

        var (code, stdout, stderr) = AgentProcess.Run("logs", "--data-dir", data, "--verdict", "ng", "--json");
        var (tableCode, table, _) = AgentProcess.Run("logs", "--data-dir", data, "--since", "1h");

        Assert.True(code == 0, stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("01B", JsonDocument.Parse(line).RootElement.GetProperty("id").GetString());
        Assert.Equal(0, tableCode);
        Assert.Contains("3 verdict(s) shown, 3 in the log, 3 waiting for the broker", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Logs_CsvAndStats_OneRowPerVerdictAndCountsWithTheNgRate()
    {
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            log.Append([(Make("01A", VerdictKind.Ok), "k1"), (Make("01B", VerdictKind.Ng) with { Detail = "a \"quoted\", comma" }, "k2"), (Make("01C", VerdictKind.Ok), "k3"), (Make("01D", VerdictKind.Error), "k4")]);
        }

        var (csvCode, csv, csvError) = AgentProcess.Run("logs", "--data-dir", data, "--csv");
        var (statsCode, stats, statsError) = AgentProcess.Run("logs", "--data-dir", data, "--stats", "--since", "1h");

        Assert.True(csvCode == 0, csvError);
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("seq,id,judged_utc,verdict,reason,product,pair,score", rows[0], StringComparison.Ordinal);
        Assert.Equal(5, rows.Length);
        Assert.Contains("\"a \"\"quoted\"\", comma\"", csv, StringComparison.Ordinal);
        Assert.True(statsCode == 0, statsError);
        Assert.Matches(@"all +4 +2 +1 +0 +1 +25\.0", stats);
    }

    [Fact]
    public void Logs_StatsOverDaysThatCannotBeShown_ExitsUsageErrorBeforePrintingAnything()
    {
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            log.Append([(Make("01A", VerdictKind.Ok), "k1")]);
        }

        var (backwardsCode, backwards, backwardsError) = AgentProcess.Run("logs", "--data-dir", data, "--stats", "--since", "2026-03-10", "--until", "2026-03-01");
        var (longCode, _, longError) = AgentProcess.Run("logs", "--data-dir", data, "--stats", "--since", "2020-01-01", "--until", "2026-01-01");

        Assert.Equal(Verbs.UsageError, backwardsCode);
        Assert.Contains("from (2026-03-10) is after to (2026-03-01)", backwardsError, StringComparison.Ordinal);
        Assert.Equal("", backwards);
        Assert.Equal(Verbs.UsageError, longCode);
        Assert.Contains("at most 366 days at once", longError, StringComparison.Ordinal);
    }

    [Fact]
    public void Logs_Decisions_TableJsonAndCsvOfThePeoplesDecisionsNewestFirst()
    {
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            log.Append([(Make("01A", VerdictKind.Review), "k1"), (Make("01B", VerdictKind.Ok), "k2"), (Make("01C", VerdictKind.Ng) with { Product = "M1" }, "k3")]);
            var at = DateTimeOffset.UtcNow;
            log.RecordDecision(new DecisionRequest("01A", VerdictKind.Ng, "scratch", "long scratch across\nthe pad, seen under the ring light at 45 degrees", "ana", "operator", false), at.AddMinutes(-3));
            log.RecordDecision(new DecisionRequest("01B", VerdictKind.Ok, null, null, "ana", "operator", false), at.AddMinutes(-2));
            log.RecordDecision(new DecisionRequest("01C", VerdictKind.Ok, null, "a \"false\", call", "sam", "supervisor", false), at.AddMinutes(-1));
        }

        var (code, table, stderr) = AgentProcess.Run("logs", "--data-dir", data, "--decisions");
        var (_, json, _) = AgentProcess.Run("logs", "--data-dir", data, "--decisions", "--json", "--product", "UBM", "--limit", "1");
        var (_, csv, _) = AgentProcess.Run("logs", "--data-dir", data, "--decisions", "--csv", "--since", "1h");
        var (_, verdictCsv, _) = AgentProcess.Run("logs", "--data-dir", data, "--csv");
        var (mixedCode, _, mixedError) = AgentProcess.Run("logs", "--data-dir", data, "--decisions", "--stats");

        Assert.True(code == 0, stderr);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["01C", "01B", "01A"], lines[1..4].Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[1]));
        Assert.Matches(@"01A +UBM +P01A +REVIEW -> NG +scratch +ana +operator +long scratch across the pad, seen under…$", lines[3]);
        Assert.Matches(@"01C +M1 +P01C +NG -> OK +sam +supervisor +a ""false"", call$", lines[1]);
        Assert.Equal("3 decision(s) shown, 3 waiting for the broker", lines[4]);
        var decision = JsonDocument.Parse(Assert.Single(json.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        Assert.Equal(("01B", "OK", "OK", "edgeagent.decision/1"), (decision.GetProperty("id").GetString(), decision.GetProperty("aiVerdict").GetString(),
            decision.GetProperty("decision").GetString(), decision.GetProperty("schema").GetString()));
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(DecisionCsv.Header, rows[0]);
        Assert.Equal(3, rows.Count(r => r.EndsWith('Z'))); // each record ends with judged_utc; 01A's comment holds a quoted line break
        Assert.Contains(",\"long scratch across\nthe pad, seen under the ring light at 45 degrees\",", csv, StringComparison.Ordinal);
        Assert.Contains(",01C,P01C,M1,NG,X,,OK,,sam,supervisor,false,\"a \"\"false\"\", call\",", csv, StringComparison.Ordinal);
        Assert.Matches(@"^\d+,01A,.*,NG,scratch,ana,operator,\d{4}-\d\d-\d\dT[\d:.]+Z$", verdictCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(r => r.Contains(",01A,", StringComparison.Ordinal)));
        Assert.Equal(Verbs.UsageError, mixedCode);
        Assert.Contains("--decisions lists decisions", mixedError, StringComparison.Ordinal);
    }

    [Fact]
    public void Logs_Stats_KpiTablePerDayAndProductBelowTheCounts()
    {
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            log.Append([(Make("01A", VerdictKind.Ok), "k1"), (Make("01B", VerdictKind.Ng), "k2"), (Make("01C", VerdictKind.Review), "k3"), (Make("01D", VerdictKind.Error), "k4")]);
            log.RecordDecision(new DecisionRequest("01A", VerdictKind.Ng, "particle", null, "ana", "operator", false), DateTimeOffset.UtcNow);
            log.RecordDecision(new DecisionRequest("01C", VerdictKind.Ok, null, null, "ana", "operator", false), DateTimeOffset.UtcNow);
        }

        var (code, stats, stderr) = AgentProcess.Run("logs", "--data-dir", data, "--stats");
        var (localCode, local, _) = AgentProcess.Run("logs", "--data-dir", data, "--stats", "--local");
        var (badCode, _, badError) = AgentProcess.Run("logs", "--data-dir", data, "--local");

        Assert.True(code == 0, stderr);
        Assert.Matches(@"all +4 +1 +1 +1 +1 +25\.0", stats); // the counts as before, then the KPIs
        var today = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("KPIs per UTC day and product", stats, StringComparison.Ordinal);
        Assert.Matches($@"{today} +UBM +4 +1 +1 +1 +1 +50\.0 +2 +0\.0 +1 +0 +100\.0", stats);
        Assert.Matches(@"all days +UBM +4 +1 +1 +1 +1 +50\.0 +2 +0\.0 +1 +0 +100\.0", stats);
        Assert.Equal(0, localCode);
        Assert.Contains("KPIs per local day and product", local, StringComparison.Ordinal);
        Assert.Matches(@"UBM +4 +1 +1 +1 +1 +50\.0 +2", local);
        Assert.Equal(Verbs.UsageError, badCode);
        Assert.Contains("--local chooses the days of the KPIs", badError, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_temp.Path, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static Verdict Make(string id, VerdictKind outcome) => new()
    {
        Id = id,
        Seq = 0,
        PairId = "P" + id,
        Product = "UBM",
        Image = new SourceFile("/aoi/" + id, null),
        Outcome = outcome,
        Reason = outcome == VerdictKind.Ok ? null : "X",
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = new StationIdentity("s", "a", "l", "st"),
        JudgedAt = DateTimeOffset.UtcNow,
    };
}
