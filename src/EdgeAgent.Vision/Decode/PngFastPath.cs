using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace EdgeAgent.Vision.Decode;

/// <summary>
/// Decodes the two PNG kinds an AOI writes — 8-bit RGB images and 8-bit gray templates, not interlaced —
/// with .NET's zlib-ng inflate and the row filters undone here, about twice as fast as OpenCV's bundled
/// libpng/zlib and with the same pixels (tested against it for every filter type). Anything else (palette,
/// 16-bit, alpha, tRNS, interlaced, a colour file read as gray) returns null and goes to OpenCV, which also
/// has the last word on every file this path finds fault with (a bad critical-chunk CRC included, as libpng refuses it).
/// </summary>
internal static class PngFastPath
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The decoded image (BGR for <see cref="ImreadModes.Color"/>, gray for <see cref="ImreadModes.Grayscale"/>), or null to let OpenCV decode it.</summary>
    public static Mat? TryDecode(ReadOnlyMemory<byte> file, ImreadModes mode)
    {
        var png = file.Span;
        if (png.Length < 33 || !png.StartsWith(Signature) || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return null;
        }

        var width = BinaryPrimitives.ReadInt32BigEndian(png[16..]);
        var height = BinaryPrimitives.ReadInt32BigEndian(png[20..]);
        int channels = png[25] switch { 0 => 1, 2 => 3, _ => 0 };
        bool plain = png[24] == 8 && png[26] == 0 && png[27] == 0 && png[28] == 0;
        bool wanted = mode == ImreadModes.Grayscale ? channels == 1 : mode == ImreadModes.Color && channels == 3;
        if (!plain || !wanted || width <= 0 || height <= 0 || (long)width * height * channels > int.MaxValue / 2
            || FindImageData(file) is not { } data)
        {
            return null;
        }

        int stride = (width * channels) + 1;
        var raw = ArrayPool<byte>.Shared.Rent(stride * height);
        try
        {
            return Inflate(data, raw.AsSpan(0, stride * height)) && Unfilter(raw.AsSpan(0, stride * height), stride, channels)
                ? ToMat(raw, width, height, channels)
                : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    // The IDAT chunks in order, up to IEND; null when a chunk runs past the end, a critical chunk's CRC is wrong, or a
    // tRNS chunk asks for transparency (OpenCV's handling of it is its own). libpng refuses a critical chunk (IHDR, IDAT,
    // IEND: upper-case first letter) whose CRC does not match and only warns about an ancillary one; the fuzzer found
    // this path decoding a PNG with a bad IDAT CRC that OpenCV refuses, so a bad CRC now leaves the verdict to OpenCV.
    private static List<ReadOnlyMemory<byte>>? FindImageData(ReadOnlyMemory<byte> file)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        var at = 8;
        while (at + 12 <= file.Length)
        {
            var span = file.Span;
            var length = BinaryPrimitives.ReadInt32BigEndian(span[at..]);
            var type = span.Slice(at + 4, 4);
            if (length < 0 || at + 12L + length > file.Length || type.SequenceEqual("tRNS"u8)
                || ((type[0] & 0x20) == 0 && Crc32.HashToUInt32(span.Slice(at + 4, 4 + length)) != BinaryPrimitives.ReadUInt32BigEndian(span[(at + 8 + length)..])))
            {
                return null;
            }

            if (type.SequenceEqual("IDAT"u8))
            {
                chunks.Add(file.Slice(at + 8, length));
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                return chunks.Count > 0 ? chunks : null;
            }

            at += 12 + length;
        }

        return null;
    }

    // Exactly the filtered rows, then to the end of the zlib stream so its Adler-32 is checked.
    private static bool Inflate(List<ReadOnlyMemory<byte>> data, Span<byte> raw)
    {
        try
        {
            using var zlib = new ZLibStream(new ChunkStream(data), CompressionMode.Decompress);
            if (zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false) != raw.Length)
            {
                return false;
            }

            Span<byte> rest = stackalloc byte[64];
            while (zlib.Read(rest) > 0)
            {
                // Data beyond the last row is ignored, as libpng does.
            }

            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    // PNG filters 0–4 undone in place, row by row (each row's filter byte leads it); false for an unknown filter.
    private static bool Unfilter(Span<byte> raw, int stride, int bpp)
    {
        var rows = raw.Length / stride;
        Span<byte> previous = default;
        for (var y = 0; y < rows; y++)
        {
            var row = raw.Slice((y * stride) + 1, stride - 1);
            switch (raw[y * stride])
            {
                case 0:
                    break;
                case 1:
                    Sub(row, bpp);
                    break;
                case 2:
                    Up(row, previous);
                    break;
                case 3:
                    Average(row, previous, bpp);
                    break;
                case 4:
                    Paeth(row, previous, bpp);
                    break;
                default:
                    return false;
            }

            previous = row;
        }

        return true;
    }

    // Sub is a running sum per channel: with SSSE3 a whole vector of pixels is summed in log steps (shift and
    // add) and the previous pixel's sums carried in, several times the speed of the byte loop.
    private static void Sub(Span<byte> row, int bpp)
    {
        var done = !Ssse3.IsSupported || row.Length < 32 ? bpp : bpp switch
        {
            1 => SubGray(row),
            3 => SubColour(row),
            _ => bpp,
        };
        ref var r = ref MemoryMarshal.GetReference(row);
        for (var i = done; i < row.Length; i++)
        {
            Unsafe.Add(ref r, i) += Unsafe.Add(ref r, i - bpp);
        }
    }

    // 16 one-byte pixels a step; returns the first byte left to the scalar loop. Gray and colour are two
    // methods, not one over bpp: the byte shifts must be constants for the JIT to emit one instruction each.
    private static unsafe int SubGray(Span<byte> row)
    {
        var lastPixel = Vector128.Create((byte)15);
        fixed (byte* p = row)
        {
            var carry = Vector128<byte>.Zero;
            var i = 0;
            for (; i + 16 <= row.Length; i += 16)
            {
                var x = Sse2.LoadVector128(p + i);
                x = Sse2.Add(x, Sse2.ShiftLeftLogical128BitLane(x, 1));
                x = Sse2.Add(x, Sse2.ShiftLeftLogical128BitLane(x, 2));
                x = Sse2.Add(x, Sse2.ShiftLeftLogical128BitLane(x, 4));
                x = Sse2.Add(x, Sse2.ShiftLeftLogical128BitLane(x, 8));
                x = Sse2.Add(x, carry);
                carry = Ssse3.Shuffle(x, lastPixel);
                Sse2.Store(p + i, x);
            }

            return Math.Max(i, 1);
        }
    }

    // Five three-byte pixels a step, but 16 bytes stored: the 16th is the next pixel's first channel, already
    // right (its sum is complete in the vector), and the next block was loaded before that store.
    private static unsafe int SubColour(Span<byte> row)
    {
        var lastPixel = Vector128.Create((byte)12, 13, 14, 12, 13, 14, 12, 13, 14, 12, 13, 14, 12, 13, 14, 12);
        fixed (byte* p = row)
        {
            var carry = Vector128<byte>.Zero;
            var next = Sse2.LoadVector128(p);
            var i = 0;
            for (; i + 15 + 16 <= row.Length; i += 15)
            {
                var x = next;
                next = Sse2.LoadVector128(p + i + 15);
                x = Sse2.Add(x, Sse2.ShiftLeftLogical128BitLane(x, 3));
                x = Sse2.Add(x, Sse2.ShiftLeftLogical128BitLane(x, 6));
                x = Sse2.Add(x, Sse2.ShiftLeftLogical128BitLane(x, 12));
                x = Sse2.Add(x, carry);
                carry = Ssse3.Shuffle(x, lastPixel);
                Sse2.Store(p + i, x);
            }

            return i == 0 ? 3 : i + 1;
        }
    }

    private static void Up(Span<byte> row, ReadOnlySpan<byte> previous)
    {
        if (previous.IsEmpty)
        {
            return; // the row above the first is zeros
        }

        var i = 0;
        for (; i + Vector<byte>.Count <= row.Length; i += Vector<byte>.Count)
        {
            (new Vector<byte>(row[i..]) + new Vector<byte>(previous[i..])).CopyTo(row[i..]);
        }

        for (; i < row.Length; i++)
        {
            row[i] += previous[i];
        }
    }

    private static void Average(Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        for (var i = 0; i < row.Length; i++)
        {
            int left = i >= bpp ? row[i - bpp] : 0;
            int up = previous.IsEmpty ? 0 : previous[i];
            row[i] += (byte)((left + up) >> 1);
        }
    }

    private static void Paeth(Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0;
            int b = previous.IsEmpty ? 0 : previous[i];
            int c = i >= bpp && !previous.IsEmpty ? previous[i - bpp] : 0;
            int p = a + b - c;
            int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
    }

    // The rows without their filter bytes, as OpenCV's layout: RGB turned BGR.
    private static unsafe Mat ToMat(byte[] raw, int width, int height, int channels)
    {
        var type = channels == 1 ? MatType.CV_8UC1 : MatType.CV_8UC3;
        var mat = new Mat(height, width, type);
        fixed (byte* rows = raw)
        {
            using var view = Mat.FromPixelData(height, width, type, (IntPtr)(rows + 1), (width * channels) + 1);
            if (channels == 1)
            {
                view.CopyTo(mat);
            }
            else
            {
                Cv2.CvtColor(view, mat, ColorConversionCodes.RGB2BGR);
            }
        }

        return mat;
    }

    /// <summary>The IDAT payloads read as one stream, without copying them together.</summary>
    private sealed class ChunkStream(List<ReadOnlyMemory<byte>> chunks) : Stream
    {
        private int _chunk;
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_chunk < chunks.Count && _offset == chunks[_chunk].Length)
            {
                (_chunk, _offset) = (_chunk + 1, 0);
            }

            if (_chunk == chunks.Count)
            {
                return 0;
            }

            var available = chunks[_chunk].Span[_offset..];
            var n = Math.Min(available.Length, buffer.Length);
            available[..n].CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
