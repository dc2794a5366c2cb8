using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using EdgeAgent.Drift;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Inference.Session;
using EdgeAgent.Ingest;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Models.Activation;
using EdgeAgent.Models.Store;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Host.Cli;

/// <summary>How bad a finding is; the verb's exit code is the worst one's.</summary>
internal enum Severity
{
    Ok = 0,
    Warn = 1,
    Fail = 2,
}

/// <summary>One finding of <c>edgeagent doctor</c>, worded for the person at the box.</summary>
internal sealed record Finding(Severity Severity, string Check, string Text);

/// <summary>
/// The checks behind <c>edgeagent doctor</c>, each one what the service would trip over at start or later:
/// configuration, watched folders, inotify, data directory and disk, drift, broker, models and keys, execution
/// provider, clock. Nothing here changes the box except a probe file created and deleted in folders the
/// agent must be able to write.
/// </summary>
internal static class DoctorChecks
{
    private const long FailBelowBytes = 256L * 1024 * 1024;
    private const long WarnBelowBytes = 2L * 1024 * 1024 * 1024;

    public static async Task<List<Finding>> RunAsync(string? configFile)
    {
        var findings = new List<Finding>();
        using var host = AgentHost.Build(configFile, new Dictionary<string, string?>());
        var options = Configuration(host.Services, findings);
        if (options is null)
        {
            return findings;
        }

        Folders(options.Ingest, findings);
        Inotify(options.Ingest, findings);
        Storage(options.Storage, findings);
        Drift(options.Drift, options.Storage, findings);
        if (await BrokerAsync(options.Mqtt, findings).ConfigureAwait(false))
        {
            await AnonymousPublishAsync(options.Mqtt, findings).ConfigureAwait(false);
        }

        BoxKeyCheck(options.Mqtt, findings);
        Models(options.Inference, options.Models, options.Storage, findings);
        Clock(findings);
        return findings;
    }

    private sealed record Options(IngestOptions Ingest, VerdictLogOptions Storage, MqttOptions Mqtt, InferenceOptions Inference, ModelsOptions Models, DriftOptions Drift);

    /// <summary>
    /// Every section the service registers, validated exactly as the host does at start (one list: the
    /// registrations themselves, through <see cref="IStartupValidator"/>), then the ones the checks below read.
    /// </summary>
    private static Options? Configuration(IServiceProvider services, List<Finding> findings)
    {
        try
        {
            AgentHost.ValidateOptions(services);
        }
        catch (OptionsValidationException e)
        {
            findings.Add(new(Severity.Fail, "configuration", string.Join("; ", e.Failures) + " — the service will not start (exit 78)"));
            return null;
        }

        T Get<T>()
            where T : class => services.GetRequiredService<IOptions<T>>().Value;
        findings.Add(new(Severity.Ok, "configuration", "every section is valid"));
        return new Options(Get<IngestOptions>(), Get<VerdictLogOptions>(), Get<MqttOptions>(), Get<InferenceOptions>(), Get<ModelsOptions>(), Get<DriftOptions>());
    }

    private static void Folders(IngestOptions ingest, List<Finding> findings)
    {
        if (ingest.Folders.Count == 0)
        {
            findings.Add(new(Severity.Fail, "watched folders", "Ingest:Folders is empty: the agent would watch nothing"));
        }

        foreach (var folder in ingest.Folders)
        {
            if (!Directory.Exists(folder))
            {
                findings.Add(new(Severity.Fail, "watched folders", $"{folder} does not exist — create it or fix Ingest:Folders (the agent waits for it and warns)"));
                continue;
            }

            try
            {
                _ = Directory.EnumerateFileSystemEntries(folder).Take(1).ToList();
            }
            catch (UnauthorizedAccessException)
            {
                findings.Add(new(Severity.Fail, "watched folders", $"{folder} cannot be read by {Environment.UserName}"));
                continue;
            }

            if (ingest.AfterProcessing == AfterProcessing.Move && !CanWrite(folder, out var why))
            {
                findings.Add(new(Severity.Fail, "watched folders", $"{folder} is not writable ({why}) but Ingest:AfterProcessing=Move needs to move judged files"));
                continue;
            }

            findings.Add(new(Severity.Ok, "watched folders", $"{folder} readable{(ingest.AfterProcessing == AfterProcessing.Move ? " and writable" : "")}"));
        }
    }

    /// <summary>Every sub-folder costs an inotify watch; past the limit the agent relies on its periodic rescan.</summary>
    private static void Inotify(IngestOptions ingest, List<Finding> findings)
    {
        var watches = ReadNumber("/proc/sys/fs/inotify/max_user_watches");
        if (watches is null)
        {
            findings.Add(new(Severity.Warn, "inotify", "cannot read /proc/sys/fs/inotify/max_user_watches; the periodic rescan still finds every pair"));
            return;
        }

        var folders = ingest.Folders.Where(Directory.Exists).Sum(f => CountFolders(f, (int)Math.Min(watches.Value, 1_000_000)));
        var severity = folders > watches * 0.8 ? Severity.Warn : Severity.Ok;
        findings.Add(new(severity, "inotify", string.Create(CultureInfo.InvariantCulture,
            $"{folders} watched folder(s) against max_user_watches {watches}{(severity == Severity.Warn ? " — raise fs.inotify.max_user_watches (sysctl); until then changes are found by the rescan only" : "")}")));
    }

    private static void Storage(VerdictLogOptions storage, List<Finding> findings)
    {
        var directory = storage.DataDirectory;
        var existing = directory;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        if (!CanWrite(existing, out var why))
        {
            findings.Add(new(Severity.Fail, "data directory", $"{directory} is not writable by {Environment.UserName} ({why})"));
            return;
        }

        var free = new DriveInfo(existing).AvailableFreeSpace;
        var severity = free < FailBelowBytes ? Severity.Fail : free < WarnBelowBytes ? Severity.Warn : Severity.Ok;
        var running = File.Exists(Path.Combine(directory, "edgeagent.lock")) && IsLocked(Path.Combine(directory, "edgeagent.lock"));
        findings.Add(new(severity, "data directory", string.Create(CultureInfo.InvariantCulture,
            $"{directory}: {free / 1048576.0:0} MiB free{(severity != Severity.Ok ? " — the journal pauses ingest when the disk is full; free space or lower Retention:MaxBytes" : "")}{(running ? "; an agent is running on it" : "")}")));
    }

    /// <summary>
    /// The drift charts as the agent last saved them, read from the journal read-only (as <c>logs</c> does, beside a
    /// running agent): a drifting product is a warning, since its verdicts go on unchanged while someone should look.
    /// </summary>
    private static void Drift(DriftOptions drift, VerdictLogOptions storage, List<Finding> findings)
    {
        if (!drift.Enabled)
        {
            findings.Add(new(Severity.Ok, "drift", "Drift:Enabled is false: no product's scores, alignment or lighting are watched"));
            return;
        }

        if (!File.Exists(storage.DatabasePath))
        {
            findings.Add(new(Severity.Ok, "drift", "no journal yet: each product learns its reference from its first " + drift.Window.ToString(CultureInfo.InvariantCulture) + " pairs"));
            return;
        }

        try
        {
            using var log = VerdictLog.OpenReadOnly(storage.DatabasePath);
            var charts = log.DriftCharts();
            var alarms = charts.SelectMany(p => p.Alarms.Select(c => (p.Product, Chart: c))).ToList();
            var learning = charts.Count(p => !p.Charts.Any(c => c.Calibrated(drift.Window)));
            if (alarms.Count == 0)
            {
                findings.Add(new(Severity.Ok, "drift", $"{charts.Count} product(s) watched ({learning} still learning their reference), none drifting"));
                return;
            }

            var text = string.Join("; ", alarms.Select(a => string.Create(CultureInfo.InvariantCulture,
                $"{a.Product} {a.Chart.Series} {a.Chart.Ewma:0.####} beyond {a.Chart.CrossedLimit(drift):0.####} (reference {a.Chart.Mean:0.####}){(a.Chart.AlarmAt is { } at ? $" since {at:u}" : "")}")));
            findings.Add(new(Severity.Warn, "drift", $"{text} — verdicts are unchanged; check the lighting, camera and templates of that product (trend page: /drift/PRODUCT on the dashboard)"));
        }
        catch (IOException e)
        {
            findings.Add(new(Severity.Warn, "drift", $"cannot read the journal {storage.DatabasePath}: {e.Message}"));
        }
    }

    /// <summary>Reachability and the MQTT handshake; a broker that is away only delays verdicts (they wait in the outbox).</summary>
    private static async Task<bool> BrokerAsync(MqttOptions mqtt, List<Finding> findings)
    {
        var target = $"{mqtt.Host}:{mqtt.Port}";
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using (var tcp = new TcpClient())
            {
                await tcp.ConnectAsync(mqtt.Host, mqtt.Port, timeout.Token).ConfigureAwait(false);
            }

            using var client = new MqttClientFactory().CreateMqttClient();
            var builder = new MqttClientOptionsBuilder().WithTcpServer(mqtt.Host, mqtt.Port).WithClientId($"edgeagent-doctor-{Guid.NewGuid():N}")
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(5)).WithSecurity(mqtt);
            var result = await client.ConnectAsync(builder.Build(), timeout.Token).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                findings.Add(new(Severity.Fail, "broker", $"{target} refused the connection: {result.ResultCode} — check Mqtt:Username/Password and the broker's ACL"));
                return false;
            }

            await client.DisconnectAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            findings.Add(new(Severity.Ok, "broker", $"{target} accepts MQTT 5 connections{(mqtt.Tls ? " over TLS" : "")}; topics under {Topics.RootOf(mqtt)}"));
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or System.Security.Authentication.AuthenticationException)
        {
            findings.Add(new(Severity.Warn, "broker", $"{target} unreachable ({e.Message}) — verdicts would wait in the outbox until it is back"));
            return false;
        }
    }

    /// <summary>
    /// Whether a client without credentials can publish under the box's root (issue 17, hole 4): it connects anonymously
    /// (TLS as configured, no user, no client certificate) and publishes one QoS 1 message, not retained, to
    /// <c>{root}/probe/doctor</c>, a topic no consumer reads. A PUBACK that accepts it is a warning: anyone on the network
    /// could then publish verdicts in the box's name, and only consumers that verify signatures would notice.
    /// </summary>
    private static async Task AnonymousPublishAsync(MqttOptions mqtt, List<Finding> findings)
    {
        var probe = $"{Topics.RootOf(mqtt)}/probe/doctor";
        var anonymous = new MqttOptions
        {
            Host = mqtt.Host, Port = mqtt.Port, Tls = mqtt.Tls, CaFile = mqtt.CaFile, CheckRevocation = mqtt.CheckRevocation,
        };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var client = new MqttClientFactory().CreateMqttClient();
            var connect = new MqttClientOptionsBuilder().WithTcpServer(mqtt.Host, mqtt.Port).WithClientId($"edgeagent-doctor-anon-{Guid.NewGuid():N}")
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(5)).WithSecurity(anonymous).Build();
            var connected = await client.ConnectAsync(connect, timeout.Token).ConfigureAwait(false);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                findings.Add(new(Severity.Ok, "broker access", $"anonymous clients are refused ({connected.ResultCode})"));
                return;
            }

            var message = new MqttApplicationMessageBuilder().WithTopic(probe).WithPayload("edgeagent doctor probe"u8.ToArray())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(false).Build();
            var published = await client.PublishAsync(message, timeout.Token).ConfigureAwait(false);
            await client.DisconnectAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            findings.Add(published.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers
                ? new(Severity.Warn, "broker access", $"an anonymous client may publish to {probe} — anyone who reaches the broker can publish verdicts in this box's name: set allow_anonymous false and an ACL that lets only the box write under its root (README, \"Signed messages\")")
                : new(Severity.Ok, "broker access", $"anonymous clients may connect but not publish under the box's root ({published.ReasonCode})"));
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e)
        {
            findings.Add(new(Severity.Ok, "broker access", $"anonymous clients are refused ({e.Message})"));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or System.Security.Authentication.AuthenticationException)
        {
            findings.Add(new(Severity.Warn, "broker access", $"could not find out whether anonymous clients may publish under the box's root ({e.Message})"));
        }
    }

    /// <summary>
    /// The box key that signs what the box publishes: loads (which also proves libsodium loads), or will be made at the
    /// first start; a corrupt one stops the service (exit 78).
    /// </summary>
    private static void BoxKeyCheck(MqttOptions mqtt, List<Finding> findings)
    {
        var file = mqtt.SigningKeyFile;
        try
        {
            if (!File.Exists(file))
            {
                // libsodium loads (RFC 8032's first test key): the service will be able to make and use its key.
                _ = BoxKey.KeyIdOf(Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
                findings.Add(new(Severity.Ok, "box key", $"{file} not made yet: the first start makes it (Ed25519)"));
                return;
            }

            using var key = BoxKey.Load(file);
            findings.Add(new(Severity.Ok, "box key", $"key id {key.KeyId}, public key {key.PublicKeyBase64} ({file})"));
        }
        catch (UnauthorizedAccessException)
        {
            findings.Add(new(Severity.Warn, "box key", $"{file} is readable only by the service user: run doctor as that user to check it"));
        }
        catch (InvalidDataException e)
        {
            findings.Add(new(Severity.Fail, "box key", e.Message + " — the service will not start (exit 78)"));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            findings.Add(new(Severity.Fail, "box key", $"libsodium does not load ({e.GetBaseException().Message}): the service cannot sign what it publishes"));
        }
    }

    private static void Models(InferenceOptions inference, ModelsOptions models, VerdictLogOptions storage, List<Finding> findings)
    {
        var path = ModelPaths.Resolve(inference.Path);
        try
        {
            using var model = OnnxModel.Load(path, inference, NullLogger.Instance);
            findings.Add(new(Severity.Ok, "model", $"{model.Info.Name} {model.Info.Version} loads and runs on {model.Provider} ({Path.GetFileName(path)}, crop {model.Info.Crop})"));
        }
        catch (Inference.Model.ModelContractException e)
        {
            findings.Add(new(Severity.Fail, "model", e.Message));
        }

        var store = models.StoreFolderUnder(storage.DataDirectory);
        if (Directory.Exists(store))
        {
            var opened = new ModelStore(store, models.KeepPrevious);
            var active = opened.Names().Select(n => opened.Active(n) is { } m ? $"{m.Name} {m.Version}" : $"{n} (none active)");
            findings.Add(new(Severity.Ok, "model store", $"{store}: {string.Join(", ", active)}"));
        }
        else
        {
            findings.Add(new(Severity.Ok, "model store", $"{store} not created yet: the first start seeds it with the bundled model"));
        }

        var trust = ModelBootstrap.LoadTrustList(models, NullLogger.Instance);
        var canary = CanaryCheck.Find("default", models.CanaryFolderUnder(storage.DataDirectory)).Count;
        findings.Add(trust.KeyIds.Count == 0 || canary == 0
            ? new(Severity.Warn, "model push", $"{trust.KeyIds.Count} trusted key(s), {canary} canary pair(s): pushes will be rejected until both exist ({string.Join("; ", trust.Problems.DefaultIfEmpty("Models:TrustedKeysFolder, Models:CanaryFolder"))})")
            : new(Severity.Ok, "model push", $"{trust.KeyIds.Count} trusted key(s) ({string.Join(", ", trust.KeyIds)}), {canary} canary pair(s)"));
        findings.Add(Gpu(inference));
    }

    /// <summary>
    /// The device node, and which libraries the CUDA/TensorRT providers need are missing, with what to install: a
    /// GPU build that falls back to CPU is a warning (the line's takt may not be met), a CPU build says so.
    /// </summary>
    private static Finding Gpu(InferenceOptions inference)
    {
        var device = File.Exists("/dev/nvidia0") ? "/dev/nvidia0 present" : "no /dev/nvidia0";
        if (!CudaLibraries.ProviderShipped)
        {
            return new(Severity.Ok, "gpu", $"{device}; CPU build (no {CudaLibraries.CudaProvider}): runs on CPU only");
        }

        var cuda = CudaLibraries.Missing(CudaLibraries.Cuda);
        var tensorRt = CudaLibraries.Missing(CudaLibraries.TensorRt);
        var text = $"{device}; CUDA: {(cuda.Count == 0 ? "all libraries found" : "missing " + CudaLibraries.Describe(cuda))}"
            + $"; TensorRT: {(tensorRt.Count == 0 ? "all libraries found" : "missing " + CudaLibraries.Describe(tensorRt))}";
        var fallsBack = inference.Provider != ExecutionProviderChoice.Cpu && cuda.Count > 0;
        return new(fallsBack ? Severity.Warn : Severity.Ok, "gpu", fallsBack ? $"{text} — Provider={inference.Provider} runs on CPU" : text);
    }

    private static void Clock(List<Finding> findings)
    {
        var now = TimeProvider.System.GetUtcNow();
        if (now.Year < 2025)
        {
            findings.Add(new(Severity.Fail, "clock", $"the clock says {now:u}: verdict times and ids would be wrong — set the time (NTP)"));
            return;
        }

        var synced = Run("timedatectl", "show", "-p", "NTPSynchronized", "--value")?.Trim();
        findings.Add(synced switch
        {
            "yes" => new(Severity.Ok, "clock", $"{now:u}, NTP synchronised"),
            "no" => new(Severity.Warn, "clock", $"{now:u}, not NTP synchronised — verdict times drift from the line's"),
            _ => new(Severity.Ok, "clock", $"{now:u} (NTP state unknown: no timedatectl/systemd)"),
        });
    }

    private static bool CanWrite(string folder, out string why)
    {
        var probe = Path.Combine(folder, $".edgeagent-doctor-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            why = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = e.Message;
            return false;
        }
    }

    private static bool IsLocked(string lockFile)
    {
        try
        {
            using var stream = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadNumber(string path)
    {
        try
        {
            return long.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static int CountFolders(string root, int cap)
    {
        var count = 1;
        try
        {
            foreach (var _ in Directory.EnumerateDirectories(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
            {
                if (++count >= cap)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Counted what could be seen.
        }

        return count;
    }

    private static string? Run(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            return process.WaitForExit(5000) && process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }
}
