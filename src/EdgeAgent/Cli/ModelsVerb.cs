using System.CommandLine;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Inference.Session;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Store;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent models keygen|sign|push|rollback|list</c>: the technician's signing and push workflow and a look
/// into a box's model store.
/// </summary>
internal static class ModelsVerb
{
    /// <summary>Exit code when the box refused the package or could not roll back.</summary>
    public const int Refused = 1;

    /// <summary>Exit code when the box did not answer in time (sysexits EX_UNAVAILABLE).</summary>
    public const int NoAnswer = 69;

    public static Command Command()
    {
        var command = new Command("models", "the technician's signing and push workflow, and a look into a box's model store");
        foreach (var verb in new[] { KeygenCommand(), SignCommand(), PushCommand(), RollbackCommand(), PromoteCommand(), ListCommand() })
        {
            command.Subcommands.Add(verb);
        }

        return command;
    }

    private static Command KeygenCommand()
    {
        var output = CliOptions.Required("--out", "PREFIX", "writes PREFIX.key (mode 0600) and PREFIX.pub");
        var command = new Command("keygen", "a technician's signing key pair").With(output);
        command.SetAction((result, _) => Task.FromResult(Keygen(result.GetRequiredValue(output))));
        return command;
    }

    private static Command SignCommand()
    {
        var model = CliOptions.Required("--model", "M.onnx", "the model to package (its contract is checked first)");
        var key = CliOptions.Required("--key", "K.key", "the technician's private key");
        var output = CliOptions.Required("--out", "P.eamodel", "the package to write");
        var name = CliOptions.Text("--name", "N", "model name [default: the model's metadata]");
        var version = CliOptions.Text("--version", "V", "model version [default: the model's metadata]");
        var canary = CliOptions.Text("--canary", "DIR", "canary pairs in the box's layout: DIR/<product>/<id>_image.* and <id>_template.* (pairs directly in DIR: the box's default product)");
        var notes = CliOptions.Text("--notes", "T", "free text for the audit trail");
        var by = CliOptions.Text("--by", "WHO", "who signs [default: the user name]");
        var command = new Command("sign", "packages and signs a model, with canary pairs the box runs before activating it")
            .With(model, key, output, name, version, canary, notes, by);
        command.SetAction((result, _) => Task.FromResult(Sign(result.GetRequiredValue(model), result.GetRequiredValue(key), result.GetRequiredValue(output),
            result.GetValue(canary), result.GetValue(name), result.GetValue(version), result.GetValue(notes) ?? "", result.GetValue(by) ?? Environment.UserName)));
        return command;
    }

    private static Command PushCommand()
    {
        var package = CliOptions.Required("--package", "P.eamodel", "the signed package");
        var chunkSize = CliOptions.Int("--chunk-size", 256 * 1024, "B", "bytes per MQTT message (lowered to the broker's limit)");
        var timeout = CliOptions.Number("--timeout", 600, "S", "seconds to wait for the box's verdict on the package");
        var key = CliOptions.Text("--key", "K.key", "the technician's private key: signs the begin (it may then displace unsigned transfers) and the --downgrade intent");
        var downgrade = CliOptions.Flag("--downgrade", "install even though the package's version is at or below the highest the box has activated (needs --key)");
        var box = new BoxOptions();
        var command = new Command("push", "sends a package to a box over MQTT (resumable) and waits for its verdict: 0 activated, 1 refused, 69 no answer")
            .With([package, chunkSize, timeout, key, downgrade, .. box.All]);
        command.SetAction((result, _) => PushAsync(result.GetRequiredValue(package), result.GetValue(chunkSize), TimeSpan.FromSeconds(result.GetValue(timeout)),
            result.GetValue(key), result.GetValue(downgrade), box.Read(result)));
        return command;
    }

    private static Command RollbackCommand()
    {
        var name = CliOptions.Required("--name", "MODEL", "the model whose previous version goes back into service");
        var key = CliOptions.Required("--key", "K.key", "the technician's private key (its public half in the box's trusted keys): signs the command");
        var timeout = CliOptions.Number("--timeout", 120, "S", "seconds to wait for the box's answer");
        var box = new BoxOptions();
        var command = new Command("rollback", "puts a model's previous version back in service, as a signed command: 0 rolled back, 1 refused, 69 no answer")
            .With([name, key, timeout, .. box.All]);
        command.SetAction((result, _) => RollbackAsync(result.GetRequiredValue(name), result.GetRequiredValue(key), TimeSpan.FromSeconds(result.GetValue(timeout)), box.Read(result)));
        return command;
    }

    private static Command ListCommand()
    {
        var dataDir = CliOptions.Text("--data-dir", "DIR", "the box's data directory [default: Storage:DataDirectory of the configuration]");
        var config = CliOptions.Config();
        var command = new Command("list", "the box's model store: versions, active, previous").With(dataDir, config);
        command.SetAction((result, _) => Task.FromResult(List(result.GetValue(config), result.GetValue(dataDir))));
        return command;
    }

    private static int Keygen(string output)
    {
        var prefix = Path.GetFullPath(output);
        using var key = SigningKey.Generate();
        key.Save(prefix + ".key", prefix + ".pub");
        Console.WriteLine($"key id {key.KeyId}");
        Console.WriteLine($"private key {prefix}.key (mode 0600: keep it off the line boxes, it signs packages)");
        Console.WriteLine($"public key  {prefix}.pub (copy it into each box's Models:TrustedKeysFolder, /etc/edgeagent/trusted-keys/ by default)");
        return 0;
    }

    private static int Sign(string modelFile, string keyFile, string outputFile, string? canaryFolder, string? name, string? version, string notes, string by)
    {
        var modelPath = Path.GetFullPath(modelFile);
        var keyPath = Path.GetFullPath(keyFile);
        var output = Path.GetFullPath(outputFile);
        var canary = canaryFolder is { } c ? Path.GetFullPath(c) : null;
        // Checked before the model loads: a folder of no pairs is a mistake on the command line, and a package
        // without them would only be refused by the box's canary check after the whole push.
        if (canary is not null && ModelPackageBuilder.CanaryPairs(canary).Count == 0)
        {
            throw new UsageException($"--canary {canary}: no canary pair found (expected <product>/<id>_image.<ext> with <id>_template.<ext> beside it, or <id>_image/<id>_template directly in the folder).");
        }

        // Loading proves the contract before anything is signed; name and version default to the model's metadata.
        using (var model = OnnxModel.Load(modelPath, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance))
        {
            name ??= model.Info.Name;
            version ??= model.Info.Version;
        }

        using var key = SigningKey.Load(keyPath);
        ModelManifest manifest;
        try
        {
            manifest = ModelPackageBuilder.Build(modelPath, name, version, canary, notes, by, key, output);
        }
        catch (ArgumentException e)
        {
            // Bad name or version, unsafe canary file names: what was given on the command line is wrong.
            throw new UsageException(e.Message);
        }

        var canaryPairs = manifest.Files.Count(f => PackageLayout.IsCanaryImage(f.Path));
        Console.WriteLine($"{output}: {manifest.Name} {manifest.Version}, {manifest.Files.Count} file(s) ({canaryPairs} canary pair(s)), signed by key {key.KeyId}");
        return 0;
    }

    private static async Task<int> PushAsync(string packageFile, int chunkSize, TimeSpan timeout, string? keyFile, bool downgrade, (MqttOptions Mqtt, string By) box)
    {
        var package = Path.GetFullPath(packageFile);
        var (mqtt, by) = box;
        if (!File.Exists(package))
        {
            throw new FileNotFoundException($"No package at {package}.", package);
        }

        if (downgrade && keyFile is null)
        {
            throw new UsageException("--downgrade needs --key: the box installs a lower version only on a technician's signed intent.");
        }

        using var key = keyFile is null ? null : SigningKey.Load(Path.GetFullPath(keyFile));
        StatusModel? intent = null;
        if (downgrade)
        {
            var manifest = ModelPackageBuilder.ReadManifest(package);
            intent = new StatusModel(manifest.Name, manifest.Version);
            Console.WriteLine($"downgrade intent for {manifest.Name} {manifest.Version}, signed by key {key!.KeyId}");
        }

        await using var sender = await ConnectAsync(mqtt).ConfigureAwait(false);
        try
        {
            PushOutcome outcome;
            using (var chunks = TerminalProgress.Start("push: chunks sent"))
            {
                // The box's own progress lines print as before; the chunk count is the terminal's status line only.
                var lines = new LineProgress(line => chunks.Line("  " + line));
                outcome = await sender.PushAsync(package, chunkSize, by, timeout, lines, CancellationToken.None, chunkProgress: chunks, signer: key, downgrade: intent).ConfigureAwait(false);
            }

            return Print(outcome.Status, $"{outcome.ChunksSent} chunk(s) of {outcome.ChunkSize} bytes sent");
        }
        catch (TimeoutException e)
        {
            Console.Error.WriteLine($"edgeagent: {e.Message} Run the same push again to resume it.");
            return NoAnswer;
        }
    }

    private static Command PromoteCommand()
    {
        var product = CliOptions.Required("--product", "PRODUCT", "the product whose shadow model goes into service");
        var key = CliOptions.Required("--key", "K.key", "the technician's private key (its public half in the box's trusted keys): signs the command");
        var timeout = CliOptions.Number("--timeout", 300, "S", "seconds to wait for the box's answer (the canary runs first)");
        var box = new BoxOptions();
        var command = new Command("promote", "makes a product's shadow model the active version of its model, through the canary, as a signed command: 0 promoted, 1 refused, 69 no answer")
            .With([product, key, timeout, .. box.All]);
        command.SetAction((result, _) => PromoteAsync(result.GetRequiredValue(product), result.GetRequiredValue(key), TimeSpan.FromSeconds(result.GetValue(timeout)), box.Read(result)));
        return command;
    }

    private static async Task<int> PromoteAsync(string product, string keyFile, TimeSpan timeout, (MqttOptions Mqtt, string By) box)
    {
        var (mqtt, by) = box;
        using var key = SigningKey.Load(Path.GetFullPath(keyFile));
        await using var sender = await ConnectAsync(mqtt).ConfigureAwait(false);
        Console.WriteLine($"promotion of {product}'s shadow signed by key {key.KeyId}");
        try
        {
            return Print(await sender.PromoteAsync(product, by, key, timeout, CancellationToken.None).ConfigureAwait(false), "");
        }
        catch (TimeoutException e)
        {
            Console.Error.WriteLine($"edgeagent: {e.Message}");
            return NoAnswer;
        }
    }

    private static async Task<int> RollbackAsync(string name, string keyFile, TimeSpan timeout, (MqttOptions Mqtt, string By) box)
    {
        var (mqtt, by) = box;
        using var key = SigningKey.Load(Path.GetFullPath(keyFile));
        await using var sender = await ConnectAsync(mqtt).ConfigureAwait(false);
        Console.WriteLine($"rollback of {name} signed by key {key.KeyId}");
        try
        {
            return Print(await sender.RollbackAsync(name, by, key, timeout, CancellationToken.None).ConfigureAwait(false), "");
        }
        catch (TimeoutException e)
        {
            Console.Error.WriteLine($"edgeagent: {e.Message}");
            return NoAnswer;
        }
    }

    /// <summary>The box's broker and topic identity: its config file (--config), overridden by --host, --port, --prefix, --site, --area, --line, --station.</summary>
    private sealed class BoxOptions
    {
        private readonly Option<string?> _config = CliOptions.Config("the box's configuration file, for its broker and topic identity");
        private readonly Option<string?> _host = CliOptions.Text("--host", "H", "the box's MQTT broker [default: from --config]");
        private readonly Option<int?> _port = new("--port") { Description = "that broker's port [default: from --config]", HelpName = "P" };
        private readonly Option<string?> _prefix = CliOptions.Text("--prefix", "PREFIX", "topic prefix [default: from --config]");
        private readonly Option<string?> _site = CliOptions.Text("--site", "S", "the box's site [default: from --config]");
        private readonly Option<string?> _area = CliOptions.Text("--area", "A", "the box's area [default: from --config]");
        private readonly Option<string?> _line = CliOptions.Text("--line", "L", "the box's line [default: from --config]");
        private readonly Option<string?> _station = CliOptions.Text("--station", "ST", "the box's station [default: from --config]");
        private readonly Option<string?> _by = CliOptions.Text("--by", "WHO", "who asks, for the box's audit trail [default: the user name]");

        public Option[] All => [_config, _host, _port, _prefix, _site, _area, _line, _station, _by];

        public (MqttOptions Mqtt, string By) Read(ParseResult result)
        {
            using var options = VerbOptions.Read(result.GetValue(_config));
            var mqtt = options.Get<MqttOptions>();
            mqtt.Host = result.GetValue(_host) ?? mqtt.Host;
            mqtt.Port = result.GetValue(_port) ?? mqtt.Port;
            mqtt.TopicPrefix = result.GetValue(_prefix) ?? mqtt.TopicPrefix;
            mqtt.Site = result.GetValue(_site) ?? mqtt.Site;
            mqtt.Area = result.GetValue(_area) ?? mqtt.Area;
            mqtt.Line = result.GetValue(_line) ?? mqtt.Line;
            mqtt.Station = result.GetValue(_station) ?? mqtt.Station;
            return (mqtt, result.GetValue(_by) ?? Environment.UserName);
        }
    }

    /// <summary>Reports in the order they come, on the reporting thread (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class LineProgress(Action<string> print) : IProgress<string>
    {
        public void Report(string value) => print(value);
    }

    private static async Task<ModelTransferSender> ConnectAsync(MqttOptions mqtt)
    {
        var root = Topics.RootOf(mqtt);
        Console.WriteLine($"box {root} via {mqtt.Host}:{mqtt.Port}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await ModelTransferSender.ConnectAsync(mqtt, root, timeout.Token).ConfigureAwait(false);
    }

    private static int Print(ModelStatus status, string sent)
    {
        var model = status.Model is { } m ? $"{m.Name} {m.Version}" : "";
        var reason = status.Reason is null ? "" : $" {status.Reason}";
        Console.WriteLine($"{status.State}{reason} {model}".TrimEnd() + (sent.Length > 0 ? $" ({sent})" : ""));
        if (!string.IsNullOrEmpty(status.Detail))
        {
            Console.WriteLine("  " + status.Detail);
        }

        return status.State is ModelStates.Activated or ModelStates.RolledBack ? 0 : Refused;
    }

    private static int List(string? configFile, string? dataDir)
    {
        using var options = VerbOptions.Read(configFile);
        var folder = options.Get<ModelsOptions>().StoreFolderUnder(dataDir ?? options.Get<VerdictLogOptions>().DataDirectory);
        if (!Directory.Exists(folder))
        {
            throw new FileNotFoundException($"No model store at {folder}.", folder);
        }

        var store = new ModelStore(folder, options.Get<ModelsOptions>().KeepPrevious);
        Console.WriteLine($"{"model",-24}  {"version",-12}  {"state",-8}  {"key id",-16}  {"installed (UTC)",-19}  sha256");
        foreach (var name in store.Names())
        {
            var active = store.Active(name)?.Version;
            var previous = store.Previous(name)?.Version;
            foreach (var m in store.Versions(name))
            {
                var state = m.Version == active ? "active" : m.Version == previous ? "previous" : "";
                Console.WriteLine($"{m.Name,-24}  {m.Version,-12}  {state,-8}  {m.KeyId,-16}  {m.InstalledAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {m.Sha256[..16]}");
            }
        }

        return 0;
    }
}
