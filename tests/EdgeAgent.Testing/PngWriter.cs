using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace EdgeAgent.Testing;

/// <summary>
/// A minimal PNG encoder that applies a chosen row filter (0–4, or each row its own), so the decoder can be
/// checked against OpenCV on filters OpenCV's own writer never picks (8-bit gray or RGB, not interlaced), and
/// the chunk writer hand-made bad PNGs are built with.
/// </summary>
public static class PngWriter
{
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>Encodes <paramref name="pixels"/> (rows of width × channels bytes, RGB order) with <paramref name="filterOf"/>(row).</summary>
    public static byte[] Encode(byte[] pixels, int width, int height, int channels, Func<int, byte> filterOf)
    {
        int rowBytes = width * channels;
        var filtered = new byte[(rowBytes + 1) * height];
        for (var y = 0; y < height; y++)
        {
            var filter = filterOf(y);
            filtered[y * (rowBytes + 1)] = filter;
            for (var i = 0; i < rowBytes; i++)
            {
                int x = pixels[(y * rowBytes) + i];
                int a = i >= channels ? pixels[(y * rowBytes) + i - channels] : 0;
                int b = y > 0 ? pixels[((y - 1) * rowBytes) + i] : 0;
                int c = i >= channels && y > 0 ? pixels[((y - 1) * rowBytes) + i - channels] : 0;
                int predicted = filter switch
                {
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => 0,
                };
                filtered[(y * (rowBytes + 1)) + 1 + i] = (byte)(x - predicted);
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(filtered);
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9]) = ((byte)8, (byte)(channels == 1 ? 0 : 2));
        Chunk(png, "IHDR", header);
        foreach (var part in compressed.ToArray().Chunk(8192)) // several IDATs, as libpng writes them
        {
            Chunk(png, "IDAT", part);
        }

        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>Writes one chunk: length, type, data and its CRC-32, so only what the caller meant is wrong with the file.</summary>
    public static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc(typed));
        png.Write(number);
    }

    /// <summary>The CRC-32 of a chunk's type and data, as PNG computes it.</summary>
    public static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
