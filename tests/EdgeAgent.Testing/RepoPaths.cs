namespace EdgeAgent.Testing;

/// <summary>Locations in the repository and the build output that tests use.</summary>
public static class RepoPaths
{
    /// <summary>
    /// Debian's python3, where the apt packages scripts/install-deps.sh installs live (python3-fusepy, python3-opencv,
    /// python3-paho-mqtt, ...): not whatever python3 comes first on the PATH, which may be a pyenv shim without them.
    /// </summary>
    public const string DebianPython = "/usr/bin/python3";

    /// <summary>The repository root (the folder holding EdgeAgent.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The bundled default model.</summary>
    public static string DefaultModel => Path.Combine(Root, "models", "default", "stpm_r18_synth.onnx");

    /// <summary>
    /// The small contract-test model (crop 320 → input 160): about 40 ms per pair on 2 cores against
    /// 80–100 ms for the bundled one, which keeps 1,000-pair streams inside the suite's time budget.
    /// </summary>
    public static string SmallModel => Path.Combine(Golden, "stpm_r18_c320_r160.onnx");

    /// <summary>The golden-number folder written by models/golden/make_golden.py.</summary>
    public static string Golden => Path.Combine(Root, "models", "golden");

    /// <summary>A tiny contract-test model with constant outputs (models/golden/make_tiny_models.py), by file stem.</summary>
    public static string Tiny(string stem) => Path.Combine(Golden, "tiny", stem + ".onnx");

    /// <summary>The built edgeagent.dll copied next to the test assembly by the project reference.</summary>
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
