using System.Buffers;
using System.Security.Cryptography;
using EdgeAgent.Ingest;
using EdgeAgent.Verdicts;
using OpenCvSharp;

namespace EdgeAgent.Vision.Decode;

/// <summary>
/// Reads an AOI image safely: every failure is a result with a reason code, never an exception.
/// Bytes are read by us and checked for the format's end marker before <c>ImDecode</c>, because
/// <c>ImRead</c> silently accepts a truncated JPEG (it fills the missing rows with gray). The bytes go into a
/// pooled buffer: a fresh array per file would land on the large object heap (any image over 85 kB) and
/// grow the heap between the rare gen-2 collections that free it, tens of MB at line rate.
/// </summary>
public sealed class ImageFileReader(DecodeLimits limits)
{
    /// <summary>Reads and decodes <paramref name="path"/>; <paramref name="mode"/> picks colour or gray.</summary>
    public DecodedImage Read(string path, ImreadModes mode)
    {
        byte[]? rented = null;
        try
        {
            // The size comes from stat, before opening: a FIFO or a device (also behind a symlink) reports 0
            // and is never opened (opening a FIFO blocks; /dev/zero never ends). At most that many bytes are
            // read, so a file that keeps growing cannot exhaust memory.
            var info = new FileInfo(path);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target)
            {
                info = target; // a symlink's own size is that of its target path
            }

            var length = info.Length;
            if (length == 0)
            {
                return DecodedImage.Failed(ReasonCode.EmptyFile, $"{Path.GetFileName(path)}: the file is empty (or not a regular file)");
            }

            if (length > limits.MaxFileBytes)
            {
                return DecodedImage.Failed(ReasonCode.TooLarge, $"{Path.GetFileName(path)}: {length} bytes exceeds the {limits.MaxFileBytes}-byte limit");
            }

            rented = ArrayPool<byte>.Shared.Rent((int)length);
            int read;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1))
            {
                read = stream.ReadAtLeast(rented.AsSpan(0, (int)length), (int)length, throwOnEndOfStream: false);
            }

            return Decode(rented.AsMemory(0, read), Path.GetFileName(path), mode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DecodedImage.Failed(ReasonCode.ReadFailed, $"{Path.GetFileName(path)}: {e.Message}");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private DecodedImage Decode(ReadOnlyMemory<byte> file, string name, ImreadModes mode)
    {
        var bytes = file.Span;
        if (bytes.Length == 0)
        {
            return DecodedImage.Failed(ReasonCode.EmptyFile, $"{name}: the file is empty");
        }

        if (ImageHeader.Read(bytes) is not var (format, width, height))
        {
            return DecodedImage.Failed(ReasonCode.DecodeFailed, $"{name}: not a PNG, BMP, JPEG or TIFF image");
        }

        // Each side first: two 32-bit sides can multiply past long.MaxValue, wrap negative and pass the product test.
        if (width > limits.MaxPixels || height > limits.MaxPixels || width * height > limits.MaxPixels)
        {
            return DecodedImage.Failed(ReasonCode.TooLarge, $"{name}: {width}×{height} exceeds the {limits.MaxPixels}-pixel limit");
        }

        if (!FileCompleteness.HasEndMarker(bytes[..Math.Min(8, bytes.Length)], bytes[Math.Max(0, bytes.Length - 16)..], bytes.Length))
        {
            return DecodedImage.Failed(ReasonCode.Truncated, $"{name}: the {format} data ends before its end marker");
        }

        Mat mat;
        try
        {
            mat = PngFastPath.TryDecode(file, mode) ?? Cv2.ImDecode(file.Span, mode);
        }
        catch (Exception e) when (e is OpenCVException or ArgumentException)
        {
            return DecodedImage.Failed(ReasonCode.DecodeFailed, $"{name}: {e.Message}");
        }

        if (mat.Empty())
        {
            mat.Dispose();
            return DecodedImage.Failed(ReasonCode.DecodeFailed, $"{name}: the {format} decoder rejected the data (corrupt or truncated)");
        }

        return new DecodedImage(mat, null, null, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}

/// <summary>A decoded image (caller disposes) or the reason there is none.</summary>
public sealed record DecodedImage(Mat? Mat, string? Reason, string? Detail, string? Sha256) : IDisposable
{
    /// <summary>A failed read.</summary>
    public static DecodedImage Failed(string reason, string detail) => new(null, reason, detail, null);

    /// <inheritdoc/>
    public void Dispose() => Mat?.Dispose();
}
