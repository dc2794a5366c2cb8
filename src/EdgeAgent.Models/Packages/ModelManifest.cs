namespace EdgeAgent.Models.Packages;

/// <summary>
/// <c>manifest.json</c> of a model package, format <c>edgeagent-model/1</c>. The signature covers its exact
/// bytes, so the box never re-serialises it: the store keeps the bytes it verified.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The only package format this agent understands.</summary>
    public const string CurrentFormat = "edgeagent-model/1";

    /// <summary>The output contract of the STPM models the inspector runs.</summary>
    public const string StpmContract = "stpm-maps/1";

    /// <summary>Package format name and version; must be <see cref="CurrentFormat"/>.</summary>
    public required string Format { get; init; }

    /// <summary>Model name, <c>[a-z0-9][a-z0-9._-]{0,63}</c>; a folder name in the store.</summary>
    public required string Name { get; init; }

    /// <summary>Model version, <c>[0-9A-Za-z.+-]{1,32}</c>; a folder name in the store.</summary>
    public required string Version { get; init; }

    /// <summary>The model's input/output contract (e.g. <see cref="StpmContract"/>).</summary>
    public required string Contract { get; init; }

    /// <summary>When the technician built the package.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who built it (free text).</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Free text: training data, thresholds, why this version exists.</summary>
    public required string Notes { get; init; }

    /// <summary>Every payload entry of the package with its size and SHA-256; nothing else may be in the zip.</summary>
    public required IReadOnlyList<ManifestFile> Files { get; init; }
}

/// <summary>One payload entry listed in the manifest.</summary>
/// <param name="Path">Entry name inside the package (<c>model.onnx</c> or <c>canary/&lt;id&gt;_image.png</c>...).</param>
/// <param name="Size">Uncompressed size in bytes.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the uncompressed bytes.</param>
public sealed record ManifestFile(string Path, long Size, string Sha256);

/// <summary><c>manifest.sig</c>: an ECDSA P-256 signature over the exact bytes of <c>manifest.json</c>.</summary>
/// <param name="KeyId">Lowercase hex of the first 8 bytes of SHA-256 over the signer's SubjectPublicKeyInfo.</param>
/// <param name="Algorithm">Always <see cref="EcdsaP256Sha256"/>.</param>
/// <param name="Signature">Base64 of the IEEE P1363 signature (r‖s, 64 bytes).</param>
public sealed record ManifestSignature(string KeyId, string Algorithm, string Signature)
{
    /// <summary>The only signature algorithm accepted.</summary>
    public const string EcdsaP256Sha256 = "ECDSA-P256-SHA256";
}
