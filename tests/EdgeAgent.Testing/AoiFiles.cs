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
            var target = Path.Combine(watched, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(staging, file), target + ".part");
            File.Move(target + ".part", target);
        }
    }
}
