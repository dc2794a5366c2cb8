namespace EdgeAgent.Models.Packages;

/// <summary>Why a package was refused. <see cref="Code"/> is one of <see cref="RejectionCode"/>.</summary>
/// <param name="Code">Machine-readable reason, reported to the technician's tool.</param>
/// <param name="Detail">What exactly was wrong, for people.</param>
public sealed record PackageRejection(string Code, string Detail);

/// <summary>The reasons a package is refused, in the order the verifier checks for them.</summary>
public static class RejectionCode
{
    /// <summary>The package file, an entry, the entry count or an entry's compression ratio is over its limit.</summary>
    public const string Oversized = "OVERSIZED";

    /// <summary>An entry name is rooted, contains <c>..</c>, or has characters outside <c>[A-Za-z0-9._/-]</c>.</summary>
    public const string PathTraversal = "PATH_TRAVERSAL";

    /// <summary>Not a zip; manifest missing, not JSON, of an unknown format, or with a bad name, version or layout.</summary>
    public const string Malformed = "MALFORMED";

    /// <summary>There is no <c>manifest.sig</c>.</summary>
    public const string Unsigned = "UNSIGNED";

    /// <summary>The signing key is not in the box's trust list.</summary>
    public const string UntrustedKey = "UNTRUSTED_KEY";

    /// <summary>The signature does not verify over <c>manifest.json</c> with the named key.</summary>
    public const string BadSignature = "BAD_SIGNATURE";

    /// <summary>An entry's size or SHA-256 differs from the manifest, a listed entry is missing, or an unlisted one is present.</summary>
    public const string Tampered = "TAMPERED";
}
