using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Vision.Decode;

/// <summary>Configuration section <c>Decode</c>: what the agent refuses to decode.</summary>
public sealed class DecodeLimits
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Decode";

    /// <summary>Larger files are refused unread (ERROR TOO_LARGE). At most 2 GiB: one file is read into one buffer.</summary>
    [Range(1024, int.MaxValue)]
    public long MaxFileBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Images whose header claims more pixels are refused before decoding (decompression bombs).</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 50_000_000;
}
