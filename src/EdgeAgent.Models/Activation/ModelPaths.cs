namespace EdgeAgent.Models.Activation;

/// <summary>Where a configured model file is.</summary>
public static class ModelPaths
{
    /// <summary>Absolute as given; else relative to the current folder if it exists there; else next to the executable (the bundled models).</summary>
    public static string Resolve(string path) =>
        Path.IsPathRooted(path) || File.Exists(path) ? Path.GetFullPath(path) : Path.Combine(AppContext.BaseDirectory, path);
}
