using EdgeAgent.Host.Cli;
using EdgeAgent.Testing;

namespace EdgeAgent.Dashboard.Tests.Hosting;

/// <summary>The agent as systemd starts it: a dashboard open to the network without a token stops the start.</summary>
[Trait("Category", "Integration")]
public sealed class AgentStartTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void Run_DashboardOnEveryInterfaceWithoutToken_ExitsWithConfigErrorAndOneMessage()
    {
        var config = Path.Combine(_temp.Path, "edgeagent.json");
        File.WriteAllText(config, $$$"""
            {"Model":{"Path":"{{{RepoPaths.DefaultModel}}}","Provider":"Cpu"},"Mqtt":{"Host":"127.0.0.1","Port":1},
             "Storage":{"DataDirectory":"{{{_temp.Path}}}/data"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"]},
             "Dashboard":{"Urls":"http://0.0.0.0:8080"}}
            """);

        var (code, _, stderr) = AgentProcess.Run("run", "--config", config);

        Assert.Equal(Verbs.ConfigError, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("edgeagent: cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Urls binds http://0.0.0.0:8080, which other machines can reach, and no token is set", line, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
