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

    /// <summary>Stem suffix of a canary image: <c>canary/&lt;id&gt;_image.png</c>.</summary>
    public const string CanaryImageSuffix = "_image.png";

    /// <summary>Stem suffix of a canary template: <c>canary/&lt;id&gt;_template.png</c>.</summary>
    public const string CanaryTemplateSuffix = "_template.png";

    /// <summary>
    /// Checks the payload list of a manifest: exactly one <see cref="ModelEntry"/>, canary PNGs that come in
    /// complete pairs, nothing else, no duplicates. Returns the problem, or null when the layout is right.
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

            if (CanaryId(path, CanaryImageSuffix) is { } imageId)
            {
                images.Add(imageId);
            }
            else if (CanaryId(path, CanaryTemplateSuffix) is { } templateId)
            {
                templates.Add(templateId);
            }
            else
            {
                return $"'{path}' is neither {ModelEntry} nor a canary PNG";
            }
        }

        if (!seen.Contains(ModelEntry))
        {
            return $"{ModelEntry} is not listed";
        }

        var unpaired = images.Except(templates).Concat(templates.Except(images)).FirstOrDefault();
        return unpaired is null ? null : $"canary '{unpaired}' has no partner image or template";
    }

    /// <summary>The canary id of <c>canary/&lt;id&gt;&lt;suffix&gt;</c>, or null when the path is not one.</summary>
    private static string? CanaryId(string path, string suffix)
    {
        const string Prefix = CanaryFolder + "/";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || !path.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var id = path[Prefix.Length..^suffix.Length];
        return id.Length > 0 && !id.Contains('/', StringComparison.Ordinal) ? id : null;
    }
}
