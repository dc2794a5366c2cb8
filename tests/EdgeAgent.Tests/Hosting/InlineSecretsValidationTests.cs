using EdgeAgent.Host.Cli;
using EdgeAgent.Testing;

namespace EdgeAgent.Tests.Hosting;

/// <summary>
/// <c>edgeagent run</c> refuses a broker password or dashboard token written inline in a configuration file every user
/// can read (exit 78, one line for each); the same file readable only by its owner and group is accepted.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InlineSecretsValidationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Theory]
    [InlineData("Mqtt:Password", "Mqtt:PasswordFile")]
    [InlineData("Dashboard:Token", "Dashboard:TokenFile")]
    public void Run_InlineSecretInAWorldReadableConfig_ExitsWithConfigErrorInOneLine(string key, string fileKey)
    {
        var config = WriteConfig(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, key);

        var (code, _, stderr) = AgentProcess.Run("run", "--config", config);

        Assert.True(code == Verbs.ConfigError, $"exit {code}: {stderr}");
        Assert.Contains($"edgeagent: cannot start: {key} is written inline in {config}, which every user can read: move it to {fileKey} (mode 0640) or chmod o-r {config}\n", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InlineSecretsInAConfigOthersCannotRead_Accepted()
    {
        var config = WriteConfig(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "Mqtt:Password", "Dashboard:Token");

        var (code, _, stderr) = AgentProcess.Run("run", "--config", config);

        // It gets as far as loading the (missing) model: the secrets passed.
        Assert.Equal(Verbs.ConfigError, code);
        Assert.DoesNotContain("inline", stderr, StringComparison.Ordinal);
        Assert.Contains("Model file not found", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private string WriteConfig(UnixFileMode mode, params string[] secrets)
    {
        var config = Path.Combine(_temp.Path, "config.json");
        var password = secrets.Contains("Mqtt:Password") ? ",\"Username\":\"aoi\",\"Password\":\"s3cret\"" : "";
        var token = secrets.Contains("Dashboard:Token") ? ",\"Token\":\"0123456789abcdef0123\"" : "";
        File.WriteAllText(config, $$$"""
            {"Model":{"Path":"{{{_temp.Path}}}/nope.onnx","Provider":"Cpu"},"Mqtt":{"Host":"127.0.0.1","Port":1{{{password}}}},
             "Storage":{"DataDirectory":"{{{_temp.Path}}}/data"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"]},
             "Dashboard":{"Enabled":false{{{token}}}}}
            """);
        File.SetUnixFileMode(config, mode);
        return config;
    }
}
