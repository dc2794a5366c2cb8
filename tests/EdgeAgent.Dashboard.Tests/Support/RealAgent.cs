using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Testing;

namespace EdgeAgent.Dashboard.Tests.Support;

/// <summary>
/// What the tests that run the whole agent in-process share: its settings with the dashboard on a free loopback
/// port and the bundled model on the CPU, files written into the watched folder as an AOI writes them, and waiting for
/// a condition with a generous deadline (a loaded 2-core box), never asserting on how long it took.
/// </summary>
public static class RealAgent
{
    /// <summary>The agent's settings over <paramref name="watched"/>, <paramref name="data"/> and a loopback broker.</summary>
    public static Dictionary<string, string?> Settings(string watched, string data, int brokerPort)
    {
        var settings = AgentHost.SettingsFor(watched, data,
            new MqttOptions { Host = "127.0.0.1", Port = brokerPort, Site = "fab1", Area = "wlp", Line = "l3", Station = "aoi2" });
        settings["Dashboard:Enabled"] = "true";
        settings["Dashboard:Urls"] = "http://127.0.0.1:0";
        settings["Model:Provider"] = "Cpu";
        settings["Model:Path"] = RepoPaths.DefaultModel;
        settings["Ingest:TemplateWait"] = "00:00:02";
        settings["Ingest:IncompleteTimeout"] = "00:00:02";
        settings["Ingest:RescanInterval"] = "00:00:01";
        return settings;
    }

    /// <summary>Waits until <paramref name="done"/>; fails naming <paramref name="what"/> (and <paramref name="detail"/>) after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> done, TimeSpan timeout, string what, Func<string>? detail = null)
    {
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + timeout;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}. {detail?.Invoke()}");
            await Task.Delay(250);
        }
    }

    /// <summary>As <see cref="UntilAsync(Func{Task{bool}}, TimeSpan, string, Func{string})"/> for a plain condition.</summary>
    public static Task UntilAsync(Func<bool> done, TimeSpan timeout, string what) => UntilAsync(() => Task.FromResult(done()), timeout, what);
}
