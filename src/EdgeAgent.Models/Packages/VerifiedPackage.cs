using System.Diagnostics.CodeAnalysis;

namespace EdgeAgent.Models.Packages;

/// <summary>
/// A package whose signature and hashes checked out, extracted into its staging folder. Only these files are
/// trusted; the package file itself may be deleted. <see cref="Store.ModelStore.Install"/> copies them, so the caller
/// deletes <see cref="StagingFolder"/> once the install is done.
/// </summary>
/// <param name="Manifest">The signed manifest.</param>
/// <param name="KeyId">The trusted key that signed it.</param>
/// <param name="PackageSha256">SHA-256 of the whole package file (lowercase hex).</param>
/// <param name="StagingFolder">Where the payload was extracted.</param>
/// <param name="ManifestPath">The verified manifest bytes, as signed.</param>
/// <param name="SignaturePath">The signature file, as received.</param>
/// <param name="ModelPath">The extracted <c>model.onnx</c>.</param>
/// <param name="CanaryFolder">The extracted canary pairs, or null when the package has none.</param>
public sealed record VerifiedPackage(
    ModelManifest Manifest,
    string KeyId,
    string PackageSha256,
    string StagingFolder,
    string ManifestPath,
    string SignaturePath,
    string ModelPath,
    string? CanaryFolder);

/// <summary>The outcome of <see cref="ModelPackageVerifier.Verify"/>: a verified package or a rejection.</summary>
public sealed class PackageVerification
{
    private PackageVerification(VerifiedPackage? package, PackageRejection? rejection)
    {
        Package = package;
        Rejection = rejection;
    }

    /// <summary>The verified package when accepted.</summary>
    public VerifiedPackage? Package { get; }

    /// <summary>Why it was refused, when it was.</summary>
    public PackageRejection? Rejection { get; }

    /// <summary>True when <see cref="Package"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Package))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsAccepted => Package is not null;

    /// <summary>An accepted package.</summary>
    public static PackageVerification Accepted(VerifiedPackage package) => new(package, null);

    /// <summary>A refused package.</summary>
    public static PackageVerification Rejected(string code, string detail) => new(null, new PackageRejection(code, detail));
}
