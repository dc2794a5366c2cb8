using System.Text.Json.Nodes;
using EdgeAgent.Testing;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>
/// The config file an <c>edgeagent run --config FILE</c> process reads: one watched folder, one data
/// directory, the small model, a loopback broker and short timeouts so faults play out in seconds.
/// </summary>
public sealed record AgentConfig(string Watched, string DataDirectory, int BrokerPort, string Station)
{
    /// <summary>Fixed topic identity; <see cref="Station"/> keeps scenarios apart.</summary>
    public const string Site = "fi";

    public string AfterProcessing { get; init; } = "Leave";

    public TimeSpan SettleTime { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan TemplateWait { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan IncompleteTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary><c>Decode:MaxFileBytes</c>; null keeps the default (256 MiB).</summary>
    public long? MaxFileBytes { get; init; }

    /// <summary>
    /// When true, retention archives every published verdict at once (<c>Retention:ArchiveAfter</c> 0) every
    /// second, so kills also land in archive passes; otherwise the defaults (10 min) archive nothing during a test.
    /// </summary>
    public bool ArchiveEagerly { get; init; }

    /// <summary>When true, ingest logs every pair it journals (event 1008, Debug), so a scenario can act right after a pair is seen.</summary>
    public bool LogSeenPairs { get; init; }

    /// <summary>The model the agent seeds its store with (<c>Model:Path</c>).</summary>
    public string ModelPath { get; init; } = RepoPaths.SmallModel;

    /// <summary><c>Models:TrustedKeysFolder</c>: whose pushes the agent accepts; none when null.</summary>
    public string? TrustedKeysFolder { get; init; }

    /// <summary><c>Dashboard:Urls</c>: a free port each by default; a fixed one when a scenario talks to the dashboard across restarts.</summary>
    public string DashboardUrls { get; init; } = "http://127.0.0.1:0";

    /// <summary>The box's topic root, under which its command and status topics live.</summary>
    public string TopicRoot => $"aoi/{Site}/a/l/{Station}/edgeagent/v1";

    /// <summary>The verdict topic a consumer subscribes to (README: {prefix}/{site}/{area}/{line}/{station}/edgeagent/v1/verdict).</summary>
    public string VerdictTopic => $"{TopicRoot}/verdict";

    /// <summary>The topic operators' decisions are published on.</summary>
    public string DecisionTopic => $"{TopicRoot}/decision";

    /// <summary>The agent's LiteDB file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "edgeagent.db");

    /// <summary>Writes the file and returns its path.</summary>
    public string Write(string path)
    {
        var json = new JsonObject
        {
            ["Ingest"] = new JsonObject
            {
                ["Folders"] = new JsonArray(Watched),
                ["RescanInterval"] = "00:00:01",
                ["SettleTime"] = SettleTime.ToString("c"),
                ["TemplateWait"] = TemplateWait.ToString("c"),
                ["IncompleteTimeout"] = IncompleteTimeout.ToString("c"),
                ["AfterProcessing"] = AfterProcessing,
                // The bad-input set and the special files link to files outside the watched folder (/dev/zero, staged
                // pairs): followed, the reader's own defences are what is proven. The default (not followed) is proven
                // in EdgeAgent.Pipeline.Tests' IngestServiceTests.
                ["FollowSymlinks"] = true,
            },
            ["Storage"] = new JsonObject { ["DataDirectory"] = DataDirectory },
            // The scenarios feed product folders nobody configured (BAD, special, …) to a model that names no trained
            // products; they are about losing nothing, so those products are judged by the default model as before routing existed.
            ["Routing"] = new JsonObject { ["UnknownProducts"] = "DefaultModel" },
            ["Decode"] = MaxFileBytes is { } max ? new JsonObject { ["MaxFileBytes"] = max } : new JsonObject(),
            ["Model"] = new JsonObject { ["Path"] = ModelPath, ["Provider"] = "Cpu" },
            ["Models"] = new JsonObject { ["TrustedKeysFolder"] = TrustedKeysFolder ?? "" },
            ["Mqtt"] = new JsonObject
            {
                ["Host"] = "127.0.0.1",
                ["Port"] = BrokerPort,
                ["Site"] = Site,
                ["Area"] = "a",
                ["Line"] = "l",
                ["Station"] = Station,
                ["PublishTimeout"] = "00:00:02",
                ["KeepAlive"] = "00:00:02",
                ["ReconnectMinDelay"] = "00:00:00.200",
                ["ReconnectMaxDelay"] = "00:00:01",
            },
            // The dashboard runs as on a box (a free port each: agents run side by side here), so every fault is also survived with it up.
            ["Dashboard"] = new JsonObject { ["Urls"] = DashboardUrls },
            ["Retention"] = ArchiveEagerly ? new JsonObject { ["ArchiveAfter"] = "00:00:00", ["Interval"] = "00:00:01" } : new JsonObject(),
            // Warnings and errors only, but the host's lifetime lines too: AgentRunner.Stop waits for "Application started".
            ["Logging"] = new JsonObject
            {
                ["LogLevel"] = LogSeenPairs
                    ? new JsonObject { ["Default"] = "Warning", ["Microsoft.Hosting.Lifetime"] = "Information", ["EdgeAgent.Pipeline.Ingest.IngestService"] = "Debug" }
                    : new JsonObject { ["Default"] = "Warning", ["Microsoft.Hosting.Lifetime"] = "Information" },
            },
        };
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}
