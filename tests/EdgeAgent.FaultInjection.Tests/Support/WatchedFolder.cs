namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>What <c>AfterProcessing: Move</c> has not moved yet.</summary>
internal static class WatchedFolder
{
    /// <summary>Files matching <paramref name="pattern"/> still where the AOI put them: not in <c>done/</c>, <c>review/</c> or <c>quarantine/</c>.</summary>
    public static int Unmoved(string watched, string pattern) => Directory.Exists(watched)
        ? Directory.EnumerateFiles(watched, pattern, SearchOption.AllDirectories)
            .Count(f => !Path.GetRelativePath(watched, f).Split('/').Intersect(["done", "review", "quarantine"]).Any())
        : 0;
}
