using EdgeAgent.Ingest;

namespace EdgeAgent.Models.Packages;


/// <summary>The entries of an <c>.eamodel</c> package (a zip) and the rules for canary pairs.</summary>
public static class PackageLayout
{
    /// <summary>File extension of model packages.</summary>
    public const string Extension = ".eamodel";

    /// <summary>The manifest entry; its exact bytes are signed.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>The signature entry.</summary>
    public const string SignatureEntry = "manifest.sig";

    /// <summary>The ONNX model entry; every package has one.</summary>
    public const string ModelEntry = "model.onnx";

    /// <summary>Folder of canary pairs inside the package and inside a stored version.</summary>
    public const string CanaryFolder = "canary";

    // The box's canary check reads the pairs with the ingest's default naming rule (<id>_image.<ext>, any of
    // its image formats), so a package may carry whatever that rule accepts, and no other file.
    private static readonly PairNaming Naming = new(new IngestOptions());

    /// <summary>
    /// Checks the payload list of a manifest: exactly one <see cref="ModelEntry"/>, canary images and templates
    /// (<c>canary/&lt;id&gt;_image.&lt;ext&gt;</c>, or <c>canary/&lt;product&gt;/&lt;id&gt;_image.&lt;ext&gt;</c> for a pair
    /// of that product, as on the box) that come in complete pairs, nothing else, no duplicates. Returns the
    /// problem, or null when the layout is right.
    /// </summary>
    public static string? CheckPayload(IEnumerable<string> paths)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var images = new HashSet<string>(StringComparer.Ordinal);
        var templates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (!seen.Add(path))
            {
                return $"'{path}' is listed twice";
            }

            if (path == ModelEntry)
            {
                continue;
            }

            switch (CanaryFile(path))
            {
                case (PairRole.Image, var key):
                    images.Add(key);
                    break;
                case (PairRole.Template, var key):
                    templates.Add(key);
                    break;
                default:
                    return $"'{path}' is neither {ModelEntry} nor a canary image or template";
            }
        }

        if (!seen.Contains(ModelEntry))
        {
            return $"{ModelEntry} is not listed";
        }

        var unpaired = images.Except(templates).Concat(templates.Except(images)).FirstOrDefault();
        return unpaired is null ? null : $"canary '{unpaired.TrimStart('/')}' has no partner image or template";
    }

    /// <summary>True for a canary image entry (one per canary pair in a valid package).</summary>
    public static bool IsCanaryImage(string path) => CanaryFile(path) is (PairRole.Image, _);

    /// <summary>
    /// The role and pair key (<c>[product/]id</c>) of <c>canary/[&lt;product&gt;/]&lt;file&gt;</c>, or null when the
    /// path is not a canary file.
    /// </summary>
    private static (PairRole Role, string Key)? CanaryFile(string? path)
    {
        const string Prefix = CanaryFolder + "/";
        if (path is null || !path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var relative = path[Prefix.Length..];
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        if (slash == 0 || relative.IndexOf('/', slash + 1) >= 0)
        {
            return null; // an empty product or a deeper folder: not a layout the box reads
        }

        var product = slash < 0 ? "" : relative[..slash];
        return Naming.Parse(relative[(slash + 1)..]) is { } name ? (name.Role, $"{product}/{name.PairId}") : null;
    }
}
