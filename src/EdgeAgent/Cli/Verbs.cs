using EdgeAgent.Inference.Model;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Host.Cli;

/// <summary>Dispatches the verbs and turns start-up failures into one clear message and an exit code.</summary>
public static class Verbs
{
    /// <summary>Exit code for a command-line mistake (sysexits EX_USAGE).</summary>
    public const int UsageError = 64;

    /// <summary>Exit code for invalid configuration or model (sysexits EX_CONFIG).</summary>
    public const int ConfigError = 78;

    private const string Usage = """
        edgeagent — AOI re-inspection agent (STPM on ONNX Runtime, verdicts over MQTT, log in LiteDB)

        edgeagent run      [--config FILE]                         the service (systemd Type=notify)
        edgeagent demo     [--count N] [--out DIR] [--mqtt-host H --mqtt-port P] [--config FILE]
        edgeagent doctor   [--config FILE]                         checks config, folders, inotify, disk, broker, models, GPU, clock; exit 0/1/2
        edgeagent bench    [--count N] [--size PX] [--lone N] [--warmup N] [--batch B] [--workers W] [--lanes L] [--threads T] [--model M] [--provider P] [--config FILE] [--out DIR]
        edgeagent inspect  --template T --image I [--model M] [--product P] [--json] [--no-align] [--heatmap OUT.png]
        edgeagent calibrate --ok DIR [--ng DIR] [--model M] [--product P] [--target-overkill 0.001] [--config FILE] [--write FILE] [--json]
        edgeagent logs     [--data-dir DIR] [--since 2h|ISO] [--until ISO] [--verdict OK|NG|REVIEW|ERROR] [--product P] [--limit N] [--json|--csv|--stats] [--audit]
        edgeagent generate --out DIR [--count N] [--ng-fraction F] [--seed S] [--max-shift PX] [--max-angle DEG] [--size PX] [--format png|bmp|jpg|tif]
        edgeagent models keygen --out PREFIX                        technician signing key pair: PREFIX.key (0600) and PREFIX.pub
        edgeagent models sign --model M.onnx --key K.key --out P.eamodel [--name N] [--version V] [--canary DIR] [--notes T] [--by WHO]
        edgeagent models push --package P.eamodel [--config BOX.json] [--host H --port P --site S --area A --line L --station ST] [--chunk-size B] [--timeout S]
        edgeagent models rollback --name MODEL [--config BOX.json] [--host H ... --station ST]   previous version back in service
        edgeagent models list [--data-dir DIR] [--config FILE]     the box's model store: versions, active, previous
        edgeagent --version
        """;

    private static readonly HashSet<string> FlagNames = ["json", "no-align", "audit", "csv", "stats"];

    /// <summary>Runs the verb named by <paramref name="args"/>[0].</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            if (args is ["models", _, ..])
            {
                return ModelsVerb.Run(Arguments.Parse(args[1..], FlagNames));
            }

            var arguments = Arguments.Parse(args, FlagNames);
            return arguments.Verb switch
            {
                "run" => await RunVerb.RunAsync(arguments).ConfigureAwait(false),
                "demo" => await DemoVerb.RunAsync(arguments).ConfigureAwait(false),
                "bench" => await BenchVerb.RunAsync(arguments).ConfigureAwait(false),
                "doctor" => await DoctorVerb.RunAsync(arguments).ConfigureAwait(false),
                "inspect" => InspectVerb.Run(arguments),
                "calibrate" => CalibrateVerb.Run(arguments),
                "logs" => LogsVerb.Run(arguments),
                "generate" => GenerateVerb.Run(arguments),
                "--version" or "version" => PrintVersion(),
                "help" or "--help" or "-h" => PrintUsage(Console.Out, 0),
                _ => throw new UsageException($"Unknown verb '{arguments.Verb}'."),
            };
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"edgeagent: {e.Message}").ConfigureAwait(false);
            return PrintUsage(Console.Error, UsageError);
        }
        catch (Exception e) when (e is ModelContractException or OptionsValidationException or FileNotFoundException or InvalidDataException
            || (e is InvalidOperationException && e is not ObjectDisposedException))
        {
            // Bad model, bad config, data directory in use: one line a technician can act on.
            await Console.Error.WriteLineAsync($"edgeagent: cannot start: {e.Message}").ConfigureAwait(false);
            return ConfigError;
        }
    }

    private static int PrintVersion()
    {
        var version = typeof(Verbs).Assembly.GetName().Version;
        Console.WriteLine($"edgeagent {version?.ToString(3)}");
        return 0;
    }

    private static int PrintUsage(TextWriter writer, int code)
    {
        writer.WriteLine(Usage);
        return code;
    }
}
