using System.Text.RegularExpressions;

namespace EdgeAgent.Models.Store;

/// <summary>
/// Name, version and package entry rules. Names and versions become folder names in the store and entry
/// names become paths in the staging folder, so these checks are what keeps a package inside its folders.
/// </summary>
public static partial class ModelNaming
{
    /// <summary>Longest entry name accepted; real entries are far shorter.</summary>
    public const int MaxEntryNameLength = 255;

    /// <summary>True for <c>[a-z0-9][a-z0-9._-]{0,63}</c>.</summary>
    public static bool IsValidName(string? name) => name is not null && NameRegex().IsMatch(name);

    /// <summary>
    /// True for <c>[0-9A-Za-z.+-]{1,32}</c>, except <c>.</c> and <c>..</c>, which the pattern allows but which
    /// would name the model's own folder or its parent.
    /// </summary>
    public static bool IsValidVersion(string? version) =>
        version is not null && version is not "." and not ".." && VersionRegex().IsMatch(version);

    /// <summary>
    /// True when an entry name is safe to join to a folder: relative, only <c>[A-Za-z0-9._/-]</c>, no <c>..</c>,
    /// no empty segment, not a directory entry. Backslashes, drive letters and NUL fail the character rule.
    /// </summary>
    public static bool IsSafeEntryName(string? entryName) =>
        !string.IsNullOrEmpty(entryName)
        && entryName.Length <= MaxEntryNameLength
        && !entryName.StartsWith('/')
        && !entryName.EndsWith('/')
        && !entryName.Contains("..", StringComparison.Ordinal)
        && !entryName.Contains("//", StringComparison.Ordinal)
        && EntryCharsRegex().IsMatch(entryName);

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[0-9A-Za-z.+-]{1,32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionRegex();

    [GeneratedRegex(@"^[A-Za-z0-9._/-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex EntryCharsRegex();
}
