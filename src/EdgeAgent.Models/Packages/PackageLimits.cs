namespace EdgeAgent.Models.Packages;

/// <summary>Size limits a package must meet before anything in it is read or extracted.</summary>
public sealed record PackageLimits
{
    /// <summary>Largest package file accepted. Default 512 MiB.</summary>
    public long MaxPackageBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Largest uncompressed entry accepted. Default 512 MiB.</summary>
    public long MaxEntryBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Most entries a package may hold. Default 256.</summary>
    public int MaxEntries { get; init; } = 256;

    /// <summary>Highest uncompressed:compressed ratio of an entry; above it the entry is taken for a zip bomb. Default 200.</summary>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>
    /// Entries at most this big are exempt from the ratio rule. Deflate shrinks a few kilobytes of zeros more
    /// than 200:1, and such an entry cannot exhaust anything; what the rule is for is big entries. Default 1 MiB.
    /// </summary>
    public long CompressionRatioExemptBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest <c>manifest.json</c> or <c>manifest.sig</c>: both are read into memory. Default 1 MiB.</summary>
    public int MaxManifestBytes { get; init; } = 1024 * 1024;
}
