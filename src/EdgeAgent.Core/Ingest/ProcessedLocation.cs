using EdgeAgent.Verdicts;

namespace EdgeAgent.Ingest;

/// <summary>
/// Where <see cref="AfterProcessing.Move"/> puts a judged pair's files: under the watched folder, in done/ (OK,
/// NG), review/ (REVIEW) or quarantine/ (ERROR), keeping their path relative to the watched folder. One rule for
/// the mover and for whoever looks the files up later (the dashboard).
/// </summary>
public static class ProcessedLocation
{
    /// <summary>The sub-folder of the watched folder that takes pairs with this outcome.</summary>
    public static string FolderFor(VerdictKind outcome) => outcome switch
    {
        VerdictKind.Error => "quarantine",
        VerdictKind.Review => "review",
        _ => "done",
    };

    /// <summary>Where <paramref name="path"/>, found under <paramref name="watchedFolder"/>, is moved to.</summary>
    public static string Destination(string watchedFolder, string path, VerdictKind outcome) =>
        Path.Combine(watchedFolder, FolderFor(outcome), Path.GetRelativePath(watchedFolder, path));
}
