namespace EdgeAgent.Testing;

/// <summary>A temporary folder removed at the end of the test; EDGEAGENT_TEST_KEEP=1 keeps it for a post-mortem.</summary>
public sealed class TempFolder(string prefix = "edgeagent-test-") : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Sub(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("EDGEAGENT_TEST_KEEP") == "1")
        {
            return; // kept: agent.log, mosquitto.log, the LiteDB file
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
