using EdgeAgent.Host.Cli;
using EdgeAgent.Testing;

namespace EdgeAgent.Tests.Hosting;

/// <summary><c>edgeagent run</c> refuses a data directory it must not or cannot use: exit 78 and one line naming it, never an abort.</summary>
[Trait("Category", "Integration")]
public sealed class DataDirectoryValidationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Theory]
    [InlineData("aoi")]
    [InlineData("aoi/data")]
    [InlineData("aoi/line1/../data/")]
    public void Run_DataDirectoryIsOrIsInsideAWatchedFolder_ExitsWithConfigErrorNamingBoth(string dataUnderTemp)
    {
        var watched = _temp.Sub("aoi");
        var data = Path.Combine(_temp.Path, dataUnderTemp);

        var (code, _, stderr) = Run(data, watched);

        Assert.True(code == Verbs.ConfigError, $"exit {code}: {stderr}");
        Assert.Contains($"Storage:DataDirectory {data} is ", stderr, StringComparison.Ordinal);
        Assert.Contains($"the watched folder {watched} (Ingest:Folders)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WatchedFolderInsideTheDataDirectory_IsAccepted()
    {
        // The package's own layout: /var/lib/edgeagent/aoi inside /var/lib/edgeagent. It then fails on the missing model only.
        var data = _temp.Sub("data");

        var (code, _, stderr) = Run(data, Path.Combine(data, "aoi"), model: Path.Combine(_temp.Path, "nope.onnx"));

        Assert.Equal(Verbs.ConfigError, code);
        Assert.DoesNotContain("Storage:DataDirectory", stderr, StringComparison.Ordinal);
        Assert.Contains("Model file not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_DataDirectoryCannotBeCreated_ExitsWithConfigErrorNotAnAbort()
    {
        // A file where the folder should be: no user, root included, can create the data directory there.
        var blocker = Path.Combine(_temp.Path, "blocker");
        File.WriteAllText(blocker, "not a folder");
        var data = Path.Combine(blocker, "data");

        var (code, _, stderr) = Run(data, _temp.Sub("aoi"));

        Assert.True(code == Verbs.ConfigError, $"exit {code}: {stderr}");
        Assert.Contains($"Storage:DataDirectory {data} cannot be written by user", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private (int ExitCode, string Stdout, string Stderr) Run(string data, string watched, string? model = null)
    {
        var config = Path.Combine(_temp.Path, "config.json");
        File.WriteAllText(config, $$$"""
            {"Model":{"Path":"{{{model ?? RepoPaths.DefaultModel}}}","Provider":"Cpu"},"Mqtt":{"Host":"127.0.0.1","Port":1},
             "Storage":{"DataDirectory":"{{{data}}}"},"Ingest":{"Folders":["{{{watched}}}"]},"Dashboard":{"Enabled":false}}
            """);
        return AgentProcess.Run("run", "--config", config);
    }
}
