using EdgeAgent.Models.Store;
using EdgeAgent.Models.Packages;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Inference.Session;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.Configuration;
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

    public static int Run(Arguments arguments) => arguments.Verb switch
    {
        "keygen" => Keygen(arguments),
        "sign" => Sign(arguments),
        "push" => PushAsync(arguments).GetAwaiter().GetResult(),
        "rollback" => RollbackAsync(arguments).GetAwaiter().GetResult(),
        "list" => List(arguments),
        _ => throw new UsageException($"Unknown models verb '{arguments.Verb}' (keygen, sign, push, rollback, list)."),
    };

    private static int Keygen(Arguments arguments)
    {
        var prefix = Path.GetFullPath(arguments.Require("out"));
        arguments.RejectUnknown();
        using var key = SigningKey.Generate();
        key.Save(prefix + ".key", prefix + ".pub");
        Console.WriteLine($"key id {key.KeyId}");
        Console.WriteLine($"private key {prefix}.key (mode 0600: keep it off the line boxes, it signs packages)");
        Console.WriteLine($"public key  {prefix}.pub (copy it into each box's Models:TrustedKeysFolder, /etc/edgeagent/trusted-keys/ by default)");
        return 0;
    }

    private static int Sign(Arguments arguments)
    {
        var modelPath = Path.GetFullPath(arguments.Require("model"));
        var keyPath = Path.GetFullPath(arguments.Require("key"));
        var output = Path.GetFullPath(arguments.Require("out"));
        var canary = arguments.Get("canary") is { } c ? Path.GetFullPath(c) : null;
        var name = arguments.Get("name");
        var version = arguments.Get("version");
        var notes = arguments.Get("notes") ?? "";
        var by = arguments.Get("by") ?? Environment.UserName;
        arguments.RejectUnknown();

        // Loading proves the contract before anything is signed; name and version default to the model's metadata.
        using (var model = StpmModel.Load(modelPath, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance))
        {
            name ??= model.Info.Name;
            version ??= model.Info.Version;
        }

        using var key = SigningKey.Load(keyPath);
        var manifest = ModelPackageBuilder.Build(modelPath, name, version, canary, notes, by, key, output);
        Console.WriteLine($"{output}: {manifest.Name} {manifest.Version}, {manifest.Files.Count} file(s), signed by key {key.KeyId}");
        return 0;
    }

    private static async Task<int> PushAsync(Arguments arguments)
    {
        var package = Path.GetFullPath(arguments.Require("package"));
        var chunkSize = (int)arguments.Number("chunk-size", 256 * 1024);
        var timeout = TimeSpan.FromSeconds(arguments.Number("timeout", 600));
        var (mqtt, by) = BoxOf(arguments);
        if (!File.Exists(package))
        {
            throw new FileNotFoundException($"No package at {package}.", package);
        }

        await using var sender = await ConnectAsync(mqtt).ConfigureAwait(false);
        var progress = new Progress<string>(line => Console.WriteLine("  " + line));
        try
        {
            var outcome = await sender.PushAsync(package, chunkSize, by, timeout, progress, CancellationToken.None).ConfigureAwait(false);
            return Print(outcome.Status, $"{outcome.ChunksSent} chunk(s) of {outcome.ChunkSize} bytes sent");
        }
        catch (TimeoutException e)
        {
            Console.Error.WriteLine($"edgeagent: {e.Message} Run the same push again to resume it.");
            return NoAnswer;
        }
    }

    private static async Task<int> RollbackAsync(Arguments arguments)
    {
        var name = arguments.Require("name");
        var timeout = TimeSpan.FromSeconds(arguments.Number("timeout", 120));
        var (mqtt, by) = BoxOf(arguments);
        await using var sender = await ConnectAsync(mqtt).ConfigureAwait(false);
        try
        {
            return Print(await sender.RollbackAsync(name, by, timeout, CancellationToken.None).ConfigureAwait(false), "");
        }
        catch (TimeoutException e)
        {
            Console.Error.WriteLine($"edgeagent: {e.Message}");
            return NoAnswer;
        }
    }

    /// <summary>The box's broker and topic identity: its config file (--config), overridden by --host, --port, --site, --area, --line, --station.</summary>
    private static (MqttOptions Mqtt, string By) BoxOf(Arguments arguments)
    {
        var configuration = new ConfigurationBuilder().AddAgentConfiguration(arguments.Get("config"), new Dictionary<string, string?>()).Build();
        var mqtt = configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new MqttOptions();
        mqtt.Host = arguments.Get("host") ?? mqtt.Host;
        mqtt.Port = (int)arguments.Number("port", mqtt.Port);
        mqtt.TopicPrefix = arguments.Get("prefix") ?? mqtt.TopicPrefix;
        mqtt.Site = arguments.Get("site") ?? mqtt.Site;
        mqtt.Area = arguments.Get("area") ?? mqtt.Area;
        mqtt.Line = arguments.Get("line") ?? mqtt.Line;
        mqtt.Station = arguments.Get("station") ?? mqtt.Station;
        var by = arguments.Get("by") ?? Environment.UserName;
        arguments.RejectUnknown();
        return (mqtt, by);
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

    private static int List(Arguments arguments)
    {
        var configuration = new ConfigurationBuilder().AddAgentConfiguration(arguments.Get("config"), new Dictionary<string, string?>()).Build();
        var storage = configuration.GetSection(VerdictLogOptions.Section).Get<VerdictLogOptions>() ?? new VerdictLogOptions();
        var options = configuration.GetSection(ModelsOptions.Section).Get<ModelsOptions>() ?? new ModelsOptions();
        var folder = options.StoreFolderUnder(arguments.Get("data-dir") ?? storage.DataDirectory);
        arguments.RejectUnknown();
        if (!Directory.Exists(folder))
        {
            throw new FileNotFoundException($"No model store at {folder}.", folder);
        }

        var store = new ModelStore(folder, options.KeepPrevious);
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
