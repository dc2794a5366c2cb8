using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Messaging.Models;

/// <summary>Configuration section <c>Models:Transfer</c>: what the box accepts over MQTT.</summary>
public sealed class ModelTransferLimits
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Models:Transfer";

    /// <summary>Smallest chunk accepted: smaller ones would turn a package into hundreds of thousands of messages.</summary>
    public const int MinChunkBytes = 4 * 1024;

    /// <summary>Largest package announced, in bytes. Default 512 MiB (the package verifier's own limit).</summary>
    [Range(1024L, 16L * 1024 * 1024 * 1024)]
    public long MaxPackageBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest chunk, in bytes; keep it under the broker's packet limit. Default 1 MiB.</summary>
    [Range(MinChunkBytes, 256 * 1024 * 1024)]
    public int MaxChunkBytes { get; set; } = 1024 * 1024;

    /// <summary>Transfers open at once; a begin beyond it is answered BUSY.</summary>
    [Range(1, 16)]
    public int MaxConcurrentTransfers { get; set; } = 2;

    /// <summary>A partial transfer untouched this long is deleted (at start and on each begin).</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(24);
}
