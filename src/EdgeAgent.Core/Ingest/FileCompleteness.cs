namespace EdgeAgent.Ingest;

/// <summary>
/// Whether a file's bytes end the way its format ends. Linux has no "file closed" event and locks are
/// advisory, so the end marker plus stable size/mtime is the only evidence that the AOI finished writing.
/// </summary>
public static class FileCompleteness
{
    private static ReadOnlySpan<byte> PngEnd => [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];

    /// <summary>True when the format has an end marker and it is present, or the format has none (TIFF).</summary>
    public static bool HasEndMarker(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail, long length) =>
        head.Length >= 2 && head[0] switch
        {
            0x89 => tail.EndsWith(PngEnd),
            0xFF => EndsWithJpegEoi(tail),
            (byte)'B' => head.Length >= 6 && length >= BitConverter.ToUInt32(head[2..6]),
            _ => true,
        };

    /// <summary>Reads the first and last bytes of the file and checks its end marker.</summary>
    public static bool HasEndMarker(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        Span<byte> head = stackalloc byte[8];
        Span<byte> tail = stackalloc byte[16];
        int headRead = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        long length = stream.Length;
        stream.Position = Math.Max(0, length - tail.Length);
        int tailRead = stream.ReadAtLeast(tail, tail.Length, throwOnEndOfStream: false);
        return HasEndMarker(head[..headRead], tail[..tailRead], length);
    }

    // Some encoders pad after EOI; accept the marker within the last few bytes.
    private static bool EndsWithJpegEoi(ReadOnlySpan<byte> tail)
    {
        var trimmed = tail.TrimEnd((byte)0);
        return trimmed.Length >= 2 && trimmed[^2] == 0xFF && trimmed[^1] == 0xD9;
    }
}
