using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Storage.Retention;

/// <summary>Configuration section <c>Retention</c>: how long and how much verdict history the box keeps.</summary>
public sealed class RetentionOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Retention";

    /// <summary>
    /// Archived verdicts (and the moved AOI files, when <see cref="PruneMovedFiles"/>) older than this are deleted,
    /// and audit rows (the newest threshold change of each product excepted).
    /// </summary>
    [Range(1, 3650)]
    public int Days { get; set; } = 90;

    /// <summary>Upper bound for the journal plus the archive on disk; the oldest archive months go first.</summary>
    [Range(16L * 1024 * 1024, long.MaxValue)]
    public long MaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Most audit rows kept; the oldest go first (the newest threshold change of each product excepted).</summary>
    [Range(100, 10_000_000)]
    public int MaxAuditRows { get; set; } = 10_000;

    /// <summary>Published verdicts move from the journal to the monthly archive after this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan ArchiveAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often retention runs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Also delete files the agent moved to done/, review/ and quarantine/ once older than <see cref="Days"/>.
    /// Off by default: the agent deletes no AOI file unless told to.
    /// </summary>
    public bool PruneMovedFiles { get; set; }
}
