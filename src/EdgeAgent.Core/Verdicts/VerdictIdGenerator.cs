using System.Security.Cryptography;

namespace EdgeAgent.Verdicts;

/// <summary>
/// Makes ULIDs (26 Crockford base-32 characters: 48-bit millisecond time, 80 random bits), so verdict
/// ids sort by time across restarts and boxes and need no coordination.
/// </summary>
public sealed class VerdictIdGenerator(TimeProvider time)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>A new id for a verdict decided now.</summary>
    public string Next()
    {
        Span<byte> bytes = stackalloc byte[16];
        long ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        for (int i = 5; i >= 0; i--, ms >>= 8)
        {
            bytes[i] = (byte)ms;
        }

        RandomNumberGenerator.Fill(bytes[6..]);
        return Encode(bytes);
    }

    /// <summary>The time encoded in a ULID's first ten characters (when the verdict id was made).</summary>
    public static DateTimeOffset TimestampOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        long ms = 0;
        foreach (var c in id.AsSpan(0, 10))
        {
            ms = (ms << 5) | (long)Alphabet.IndexOf(c, StringComparison.Ordinal);
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    /// <summary>As <see cref="TimestampOf"/>, or null when <paramref name="id"/> is not a ULID.</summary>
    // A first character above '6' would be a time past the year 9999, which DateTimeOffset cannot hold.
    public static DateTimeOffset? TryTimestampOf(string? id) =>
        id is { Length: 26 } && id.AsSpan().IndexOfAnyExcept(Alphabet) < 0 && id[0] <= '6' ? TimestampOf(id) : null;

    private static string Encode(ReadOnlySpan<byte> bytes)
    {
        var value = new UInt128(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        Span<char> chars = stackalloc char[26];
        for (int i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }
}
