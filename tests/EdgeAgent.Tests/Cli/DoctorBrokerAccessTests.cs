using EdgeAgent.Testing;

namespace EdgeAgent.Tests.Cli;

/// <summary>
/// <c>doctor</c> against real mosquittos (issue 17, hole 4): it warns when an anonymous client may publish under the
/// box's root, and is content with the README's ACL example (docs/mosquitto-acl.example), with anonymous clients
/// refused outright or only denied writes.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DoctorBrokerAccessTests : IDisposable
{
    private const string Root = "aoi/doc/a/l/s/edgeagent/v1";
    private readonly TempFolder _temp = new();

    [Fact]
    public void Doctor_AnonymousClientMayPublish_WarnsNamingTheProbeTopic()
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"));

        var stdout = Doctor(broker.Port, withCredentials: false);

        Assert.Contains($"[WARN] broker access    an anonymous client may publish to {Root}/probe/doctor", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_AnonymousRefusedAndTheReadmeAcl_NoWarning()
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"), ["allow_anonymous false", .. AccessFiles()]);

        var stdout = Doctor(broker.Port, withCredentials: true);

        Assert.Contains($"127.0.0.1:{broker.Port} accepts MQTT 5 connections", stdout, StringComparison.Ordinal);
        Assert.Contains("[ OK ] broker access    anonymous clients are refused", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_AnonymousMayConnectButTheAclDeniesWrites_NoWarning()
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"), AccessFiles());

        var stdout = Doctor(broker.Port, withCredentials: true);

        Assert.Contains("[ OK ] broker access    anonymous clients may connect but not publish under the box's root (NotAuthorized)", stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    // The README's ACL for this test's root, and the box's account in a password file.
    private string[] AccessFiles()
    {
        var acl = Path.Combine(_temp.Path, "edgeagent.acl");
        File.WriteAllText(acl, File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "mosquitto-acl.example")).Replace("aoi/fab1/wlp/l3/aoi2/edgeagent/v1", Root, StringComparison.Ordinal));
        var passwords = Path.Combine(_temp.Path, "passwd");
        var (code, _, stderr) = AgentProcess.RunProgram("mosquitto_passwd", ["-c", "-b", passwords, "edgeagent-box", "box-secret"]);
        Assert.True(code == 0, stderr);
        return [$"password_file {passwords}", $"acl_file {acl}"];
    }

    private string Doctor(int port, bool withCredentials)
    {
        var secret = Path.Combine(_temp.Path, "mqtt.password");
        File.WriteAllText(secret, "box-secret\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var credentials = withCredentials ? $$$""","Username":"edgeagent-box","PasswordFile":"{{{secret}}}" """ : "";
        var config = Path.Combine(_temp.Path, "config.json");
        File.WriteAllText(config, $$$"""
            {"Model":{"Path":"{{{RepoPaths.DefaultModel}}}","Provider":"Cpu"},"Storage":{"DataDirectory":"{{{_temp.Path}}}/data"},"Ingest":{"Folders":["{{{_temp.Sub("aoi")}}}"]},
             "Mqtt":{"Host":"127.0.0.1","Port":{{{port}}},"Site":"doc","Area":"a","Line":"l","Station":"s"{{{credentials}}}}}
            """);
        var (_, stdout, stderr) = AgentProcess.Run("doctor", "--config", config);
        Assert.DoesNotContain("[FAIL] broker", stdout, StringComparison.Ordinal);
        return stdout + stderr;
    }
}
