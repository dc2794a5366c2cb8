using EdgeAgent.Host.Cli;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Testing;

namespace EdgeAgent.Tests.Hosting;

/// <summary>
/// The box key at start (issue 17, hole 4): made at the first start (0600), the same key after a restart, and a corrupt
/// key file stops the start with one line and exit 78 instead of the agent signing with a new key.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BoxKeyStartTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Start_TwiceOnOneDataDirectory_KeyMadeOnceOwnerOnlyAndReused()
    {
        var data = _temp.Sub("data");
        var file = Path.Combine(data, "box-signing.key");

        await StartAndStopAsync(data);
        var made = File.ReadAllBytes(file);
        string keyId;
        using (var key = BoxKey.Load(file))
        {
            keyId = key.KeyId;
        }

        await StartAndStopAsync(data);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(made, File.ReadAllBytes(file));
        var (code, stdout, stderr) = AgentProcess.Run("keys", "show", "--data-dir", data);
        Assert.True(code == 0, stderr);
        Assert.Contains($"key id      {keyId}", stdout, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN PUBLIC KEY-----", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_CorruptKeyFile_ExitsWithConfigErrorInOneLineAndKeepsTheFile()
    {
        var data = _temp.Sub("data");
        var file = Path.Combine(data, "box-signing.key");
        File.WriteAllText(file, "-----BEGIN PRIVATE KEY-----\ntruncated by a bad copy\n");
        var config = Path.Combine(_temp.Path, "config.json");
        File.WriteAllText(config, $$$"""
            {"Model":{"Path":"{{{RepoPaths.DefaultModel}}}","Provider":"Cpu"},"Mqtt":{"Host":"127.0.0.1","Port":1},
             "Storage":{"DataDirectory":"{{{data}}}"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"]},"Dashboard":{"Enabled":false}}
            """);

        var (code, _, stderr) = AgentProcess.Run("run", "--config", config);

        Assert.True(code == Verbs.ConfigError, $"exit {code}: {stderr}");
        var line = Assert.Single(stderr.Split('\n'), l => l.StartsWith("edgeagent:", StringComparison.Ordinal));
        Assert.Contains($"the box signing key {file} is not an Ed25519 private key", line, StringComparison.Ordinal);
        Assert.Equal("-----BEGIN PRIVATE KEY-----\ntruncated by a bad copy\n", File.ReadAllText(file));
    }

    [Fact]
    public void Run_KeyFileCannotBeMade_ExitsWithConfigErrorInOneLine()
    {
        // A file where the key's folder should be: no user, root included, can make the key there.
        var blocker = Path.Combine(_temp.Path, "blocker");
        File.WriteAllText(blocker, "not a folder");
        var config = Path.Combine(_temp.Path, "config.json");
        File.WriteAllText(config, $$$"""
            {"Model":{"Path":"{{{RepoPaths.DefaultModel}}}","Provider":"Cpu"},"Mqtt":{"Host":"127.0.0.1","Port":1,"SigningKeyFile":"{{{blocker}}}/box.key"},
             "Storage":{"DataDirectory":"{{{_temp.Sub("data")}}}"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"]},"Dashboard":{"Enabled":false}}
            """);

        var (code, _, stderr) = AgentProcess.Run("run", "--config", config);

        Assert.True(code == Verbs.ConfigError, $"exit {code}: {stderr}");
        var line = Assert.Single(stderr.Split('\n'), l => l.StartsWith("edgeagent:", StringComparison.Ordinal));
        Assert.Contains($"the box signing key {blocker}/box.key cannot be read or made", line, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysShow_NoKeyYet_SaysTheAgentMakesItAndExitsOne()
    {
        var (code, _, stderr) = AgentProcess.Run("keys", "show", "--data-dir", _temp.Sub("data"));

        Assert.Equal(1, code);
        Assert.Contains("the agent makes it at its first start", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private async Task StartAndStopAsync(string data)
    {
        var settings = AgentHost.SettingsFor(_temp.Sub("aoi"), data, new MqttOptions { Host = "127.0.0.1", Port = 1, Site = "k", Area = "a", Line = "l", Station = "s" });
        settings["Model:Path"] = RepoPaths.DefaultModel;
        using var host = AgentHost.Build(null, settings);
        await host.StartAsync();
        await host.StopAsync();
    }
}
