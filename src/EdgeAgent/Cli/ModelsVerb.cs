using EdgeAgent.Host.Hosting;
using EdgeAgent.Inference.Session;
using EdgeAgent.Models;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent models keygen|sign|list</c>: the technician's signing workflow and a look into a box's model store.
/// </summary>
internal static class ModelsVerb
{
    public static int Run(Arguments arguments) => arguments.Verb switch
    {
        "keygen" => Keygen(arguments),
        "sign" => Sign(arguments),
        "list" => List(arguments),
        _ => throw new UsageException($"Unknown models verb '{arguments.Verb}' (keygen, sign, list)."),
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
