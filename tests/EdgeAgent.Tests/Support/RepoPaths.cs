namespace EdgeAgent.Tests.Support;

/// <summary>Locations in the repository the tests read (bundled model, golden numbers).</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder holding EdgeAgent.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The bundled default model.</summary>
    public static string DefaultModel => Path.Combine(Root, "models", "default", "stpm_r18_synth.onnx");

    /// <summary>The golden-number folder written by models/golden/make_golden.py.</summary>
    public static string Golden => Path.Combine(Root, "models", "golden");

    /// <summary>The built edgeagent.dll next to the test assembly.</summary>
    public static string AgentDll => Path.Combine(AppContext.BaseDirectory, "edgeagent.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeAgent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EdgeAgent.sln not found above " + AppContext.BaseDirectory);
    }
}
