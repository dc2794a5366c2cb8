namespace EdgeAgent.Testing;

/// <summary>Files placed in a watched folder the way an AOI writes them.</summary>
public static class AoiFiles
{
    /// <summary>
    /// Copies <paramref name="files"/> (relative to <paramref name="staging"/>) into <paramref name="watched"/>, in
    /// order: each under a temporary name, then a rename, so the agent never sees a half-written file.
    /// </summary>
    public static void CopyLikeAnAoi(string staging, IEnumerable<string> files, string watched)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var file in files)
        {
            PlaceLikeAnAoi(Path.Combine(staging, file), Path.Combine(watched, file));
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> as an AOI writes: a temp name, then a rename.</summary>
    public static void PlaceLikeAnAoi(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target + ".part");
        File.Move(target + ".part", target);
    }
}
