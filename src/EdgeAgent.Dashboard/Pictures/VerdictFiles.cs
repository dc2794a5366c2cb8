using EdgeAgent.Ingest;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Pictures;

/// <summary>
/// Finds a judged pair's AOI files today: where the AOI wrote them (<c>AfterProcessing: Leave</c>) or where the agent
/// moved them (<c>Move</c>: done/, review/, quarantine/ under the watched folder, <see cref="ProcessedLocation"/>).
/// </summary>
public sealed class VerdictFiles(IReadOnlyList<string> watchedFolders)
{
    /// <summary>The file now holding <paramref name="judgedPath"/>, or null when neither place has it.</summary>
    public string? Locate(string judgedPath, VerdictKind outcome)
    {
        ArgumentNullException.ThrowIfNull(judgedPath);
        if (File.Exists(judgedPath))
        {
            return judgedPath;
        }

        foreach (var folder in watchedFolders)
        {
            var relative = Path.GetRelativePath(folder, judgedPath);
            if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            {
                continue; // not under this watched folder
            }

            var moved = ProcessedLocation.Destination(folder, judgedPath, outcome);
            if (File.Exists(moved))
            {
                return moved;
            }
        }

        return null;
    }
}
