using EdgeAgent.Models.Packages;
namespace EdgeAgent.Models.Store;

/// <summary>An installed model version in the <see cref="ModelStore"/>.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Version">Model version.</param>
/// <param name="Sha256">SHA-256 of <paramref name="ModelPath"/> (lowercase hex), as copied into the store.</param>
/// <param name="ModelPath">The stored <c>model.onnx</c>.</param>
/// <param name="CanaryFolder">The stored canary pairs, or null when the package had none.</param>
/// <param name="Manifest">The package manifest (synthesised for a local import).</param>
/// <param name="KeyId">The key that signed the package, or <see cref="ModelStore.LocalKeyId"/> for a local import.</param>
/// <param name="InstalledAt">When the version was installed on this box.</param>
public sealed record StoredModel(
    string Name,
    string Version,
    string Sha256,
    string ModelPath,
    string? CanaryFolder,
    ModelManifest Manifest,
    string KeyId,
    DateTimeOffset InstalledAt);

/// <summary>Thrown when a version is installed again with a different model: versions are immutable.</summary>
public sealed class ModelVersionConflictException : Exception
{
    /// <summary>Creates the exception for <paramref name="name"/> <paramref name="version"/>.</summary>
    public ModelVersionConflictException(string name, string version, string installedSha256, string offeredSha256)
        : base($"{name} {version} is already installed with model sha256 {installedSha256}; refusing a different model ({offeredSha256}) under the same version")
    {
        Name = name;
        Version = version;
        InstalledSha256 = installedSha256;
        OfferedSha256 = offeredSha256;
    }

    /// <summary>Model name.</summary>
    public string Name { get; }

    /// <summary>The contested version.</summary>
    public string Version { get; }

    /// <summary>SHA-256 of the model already installed.</summary>
    public string InstalledSha256 { get; }

    /// <summary>SHA-256 of the model that was refused.</summary>
    public string OfferedSha256 { get; }
}
