using System.Buffers.Binary;

namespace EdgeAgent.Vision.Decode;

/// <summary>
/// Reads an image's format and dimensions from its header bytes, so a decompression bomb is refused
/// before a decoder allocates anything for it.
/// </summary>
public static class ImageHeader
{
    /// <summary>Returns (format, width, height), or null when the bytes are not a PNG, BMP, JPEG or TIFF header we can read.</summary>
    public static (string Format, long Width, long Height)? Read(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 24 && data[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ("png", BinaryPrimitives.ReadUInt32BigEndian(data[16..]), BinaryPrimitives.ReadUInt32BigEndian(data[20..]));
        }

        if (data.Length >= 26 && data[0] == 'B' && data[1] == 'M')
        {
            // Negative means top-down rows; widened before Math.Abs, which throws on int.MinValue (found by fuzzing).
            return ("bmp", Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[18..])), Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[22..])));
        }

        if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8)
        {
            return ReadJpeg(data);
        }

        if (data.Length >= 8 && ((data[0] == 'I' && data[1] == 'I' && data[2] == 42) || (data[0] == 'M' && data[1] == 'M' && data[3] == 42)))
        {
            return ReadTiff(data, littleEndian: data[0] == 'I');
        }

        return null;
    }

    private static (string, long, long)? ReadJpeg(ReadOnlySpan<byte> data)
    {
        int i = 2;
        while (i + 9 < data.Length)
        {
            if (data[i] != 0xFF)
            {
                return null;
            }

            byte marker = data[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(i + 2)..]);
            bool startOfFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (startOfFrame)
            {
                return ("jpeg", BinaryPrimitives.ReadUInt16BigEndian(data[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(data[(i + 5)..]));
            }

            i += 2 + length;
        }

        return null;
    }

    private static (string, long, long)? ReadTiff(ReadOnlySpan<byte> data, bool littleEndian)
    {
        long ifd = U32(data, 4, littleEndian);
        if (ifd + 2 > data.Length)
        {
            return null;
        }

        long width = 0, height = 0;
        int count = U16(data, (int)ifd, littleEndian);
        for (int e = 0; e < count && ifd + 2 + ((e + 1) * 12) <= data.Length; e++)
        {
            int entry = (int)ifd + 2 + (e * 12);
            ushort tag = U16(data, entry, littleEndian), type = U16(data, entry + 2, littleEndian);
            long value = type == 3 ? U16(data, entry + 8, littleEndian) : U32(data, entry + 8, littleEndian);
            if (tag == 256)
            {
                width = value;
            }
            else if (tag == 257)
            {
                height = value;
            }
        }

        return width > 0 && height > 0 ? ("tiff", width, height) : null;
    }

    private static uint U32(ReadOnlySpan<byte> data, int at, bool littleEndian) =>
        littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(data[at..]) : BinaryPrimitives.ReadUInt32BigEndian(data[at..]);

    private static ushort U16(ReadOnlySpan<byte> data, int at, bool littleEndian) =>
        littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(data[at..]) : BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
}
