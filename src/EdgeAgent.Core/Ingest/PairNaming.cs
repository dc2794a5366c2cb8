namespace EdgeAgent.Ingest;

/// <summary>Which half of a pair a file is.</summary>
public enum PairRole
{
    /// <summary>The colour image of the inspected area.</summary>
    Image,

    /// <summary>The gray golden template.</summary>
    Template,
}

/// <summary>A file name understood by the naming rule.</summary>
public sealed record PairFileName(PairRole Role, string PairId, string Extension);

/// <summary>The configurable naming rule: <c>&lt;id&gt;&lt;suffix&gt;.&lt;ext&gt;</c> with one suffix per role.</summary>
public sealed class PairNaming(IngestOptions options)
{
    private readonly HashSet<string> _extensions = new(options.Extensions, StringComparer.OrdinalIgnoreCase);

    /// <summary>Folders the agent itself writes into under a watched folder; never scanned.</summary>
    public static IReadOnlyList<string> OwnFolders { get; } = ["done", "review", "quarantine"];

    /// <summary>
    /// The first folder of <paramref name="dir"/> below <paramref name="watchedFolder"/>: a product's folder or one of
    /// <see cref="OwnFolders"/>; null for the watched folder itself.
    /// </summary>
    public static string? TopFolder(string watchedFolder, string dir)
    {
        var relative = Path.GetRelativePath(watchedFolder, dir);
        if (relative == ".")
        {
            return null;
        }

        int slash = relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return slash < 0 ? relative : relative[..slash];
    }

    /// <summary>Parses a file name (no directory), or returns null when it is not part of a pair.</summary>
    public PairFileName? Parse(string fileName)
    {
        int dot = fileName.LastIndexOf('.');
        if (dot <= 0 || fileName.StartsWith('.'))
        {
            return null;
        }

        var extension = fileName[(dot + 1)..].ToLowerInvariant();
        if (!_extensions.Contains(extension))
        {
            return null;
        }

        var stem = fileName[..dot];
        return Match(stem, options.ImageSuffix, PairRole.Image, extension)
            ?? Match(stem, options.TemplateSuffix, PairRole.Template, extension);
    }

    private static PairFileName? Match(string stem, string suffix, PairRole role, string extension) =>
        stem.Length > suffix.Length && stem.EndsWith(suffix, StringComparison.Ordinal)
            ? new PairFileName(role, stem[..^suffix.Length], extension)
            : null;
}
