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

    /// <summary>
    /// A transfer that has received no chunk for this long gives its slot up to a new begin when every slot is
    /// taken, and may be replaced by a begin with the same id and other contents; until then it is bound to its
    /// first begin. Keeps two bare begins from holding the box BUSY for <see cref="StaleAfter"/>. Default 2 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan IdleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Free bytes the transfer folder's file system keeps: a begin whose chunks and assembled package would eat into
    /// it, and a chunk that would, are refused NO_SPACE. Default 256 MiB.
    /// </summary>
    [Range(0L, long.MaxValue)]
    public long ReserveBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Largest begin, end, rollback or promote payload, in bytes; a larger one is refused OVERSIZED before it is
    /// read. Real commands are a few hundred bytes. Default 16 KiB.
    /// </summary>
    [Range(1024, 1024 * 1024)]
    public int MaxCommandBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Refused commands written to the audit trail (and logged) per minute; the rest are counted and written as one
    /// "N more refused commands suppressed" row with the next refusal after the minute. Default 10.
    /// </summary>
    [Range(1, 1000)]
    public int MaxRefusalsAuditedPerMinute { get; set; } = 10;
}
