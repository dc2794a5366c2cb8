using System.Buffers.Binary;

namespace EdgeAgent.Models.Packages;

/// <summary>
/// Reads a zip's end-of-central-directory record (APPNOTE 6.3.10, §4.3.16 and the ZIP64 records of §4.3.14–15)
/// before <see cref="System.IO.Compression.ZipArchive"/> does: ZipArchive materialises every central directory
/// header at once, so a directory of millions of tiny headers would exhaust memory before any limit could apply.
/// </summary>
internal static class ZipDirectoryPeek
{
    private const uint EndOfCentralDirectorySignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const int EndOfCentralDirectoryLength = 22;
    private const int Zip64LocatorLength = 20;

    /// <summary>
    /// The declared entry count and the physical size of the central directory (from its start to the record
    /// that follows it), or null when no end record is found (then the stream is not a zip).
    /// </summary>
    public static (long Entries, long DirectoryBytes)? Read(Stream stream)
    {
        int tailLength = (int)Math.Min(stream.Length, EndOfCentralDirectoryLength + ushort.MaxValue);
        var tail = new byte[tailLength];
        stream.Position = stream.Length - tailLength;
        stream.ReadExactly(tail);

        // The record ends the file after a comment of declared length; scanning back honours that, so a
        // signature inside the comment is not mistaken for the record.
        for (int at = tailLength - EndOfCentralDirectoryLength; at >= 0; at--)
        {
            var record = tail.AsSpan(at);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) == EndOfCentralDirectorySignature
                && at + EndOfCentralDirectoryLength + BinaryPrimitives.ReadUInt16LittleEndian(record[20..]) == tailLength)
            {
                long recordPosition = stream.Length - tailLength + at;
                return FromRecord(stream, record, recordPosition);
            }
        }

        return null;
    }

    private static (long Entries, long DirectoryBytes)? FromRecord(Stream stream, ReadOnlySpan<byte> record, long recordPosition)
    {
        long entries = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        long directoryStart = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        long directoryEnd = recordPosition;
        if (entries == ushort.MaxValue || directoryStart == uint.MaxValue)
        {
            if (recordPosition < Zip64LocatorLength)
            {
                return null;
            }

            var locator = new byte[Zip64LocatorLength];
            stream.Position = recordPosition - Zip64LocatorLength;
            stream.ReadExactly(locator);
            long zip64EndPosition = (long)BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8));
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator) != Zip64LocatorSignature
                || zip64EndPosition < 0 || zip64EndPosition > stream.Length - 56)
            {
                return null;
            }

            var zip64End = new byte[56];
            stream.Position = zip64EndPosition;
            stream.ReadExactly(zip64End);
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip64End) != Zip64EndSignature)
            {
                return null;
            }

            entries = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(zip64End.AsSpan(32)), long.MaxValue);
            directoryStart = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(zip64End.AsSpan(48)), long.MaxValue);
            directoryEnd = zip64EndPosition;
        }

        return directoryStart > directoryEnd ? null : (entries, directoryEnd - directoryStart);
    }
}
