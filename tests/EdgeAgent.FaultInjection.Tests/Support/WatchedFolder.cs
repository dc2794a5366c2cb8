using EdgeAgent.Ingest;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>What <c>AfterProcessing: Move</c> has not moved yet.</summary>
internal static class WatchedFolder
{
    /// <summary>
    /// Files matching <paramref name="pattern"/> still where the AOI put them: not under one of the agent's own top
    /// folders (<see cref="PairNaming.OwnFolders"/>: done/, review/, quarantine/), the rule ingest itself follows.
    /// </summary>
    public static int Unmoved(string watched, string pattern) => Directory.Exists(watched)
        ? Directory.EnumerateFiles(watched, pattern, SearchOption.AllDirectories)
            .Count(f => PairNaming.TopFolder(watched, Path.GetDirectoryName(f)!) is not { } top || !PairNaming.OwnFolders.Contains(top))
        : 0;
}
