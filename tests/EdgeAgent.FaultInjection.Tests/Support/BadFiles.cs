using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using EdgeAgent.Testing;
using OpenCvSharp;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>Makes the broken files an AOI, a disk or an attacker can leave in the watched folder.</summary>
public static class BadFiles
{
    /// <summary>The first third of a real image: no end marker.</summary>
    public static byte[] Truncated(byte[] image) => image[..(image.Length / 3)];

    /// <summary>Text with an image's name.</summary>
    public static byte[] NotAnImage() => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("this is not an image\n", 64)));

    /// <summary>A real PNG whose signature, header and IEND are intact but whose body is noise (seeded).</summary>
    public static byte[] CorruptBody(byte[] png)
    {
        var bytes = (byte[])png.Clone();
        new Random(7).NextBytes(bytes.AsSpan(100, bytes.Length - 200));
        return bytes;
    }

    /// <summary>A valid little PNG whose header claims <paramref name="width"/>×<paramref name="height"/> (a decompression bomb's header).</summary>
    public static byte[] PngBomb(uint width, uint height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type RGB
        PngWriter.Chunk(png, "IHDR", header);
        using (var zlib = new MemoryStream())
        {
            using (var deflate = new ZLibStream(zlib, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                deflate.Write(new byte[64 * 1024]); // the first rows of zeros; a real bomb goes on for gigabytes
            }

            PngWriter.Chunk(png, "IDAT", zlib.ToArray());
        }

        PngWriter.Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A PNG grown to <paramref name="length"/> bytes by zeros before its IEND chunk (still "complete").</summary>
    public static byte[] Oversized(byte[] png, int length)
    {
        var bytes = new byte[length];
        png.AsSpan(0, png.Length - 12).CopyTo(bytes);
        png.AsSpan(png.Length - 12).CopyTo(bytes.AsSpan(length - 12));
        return bytes;
    }

    /// <summary>The image re-encoded as JPEG (quality 90).</summary>
    public static byte[] Jpeg(string imagePath, ImreadModes mode)
    {
        using var mat = Cv2.ImRead(imagePath, mode);
        Cv2.ImEncode(".jpg", mat, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
        return jpeg;
    }
}
