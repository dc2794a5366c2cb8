using System.Security.Cryptography;

namespace EdgeAgent.Verdicts;

/// <summary>
/// Makes ULIDs (26 Crockford base-32 characters: 48-bit millisecond time, 80 random bits), so verdict
/// ids sort by time across restarts and boxes and need no coordination. Monotonic within a process (the
/// ULID spec's variant): an id made in the same millisecond as the last, or while the clock stepped back,
/// is the last one plus one, so ids sort in the order they were handed out (the order ingest found pairs).
/// </summary>
public sealed class VerdictIdGenerator(TimeProvider time)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly UInt128 RandomMask = (UInt128.One << 80) - 1;
    private readonly Lock _gate = new();
    private UInt128 _last;

    /// <summary>A new id for a verdict decided now.</summary>
    public string Next()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random[6..]);
        var value = ((UInt128)(ulong)time.GetUtcNow().ToUnixTimeMilliseconds() << 80)
            | (System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(random) & RandomMask);
        lock (_gate)
        {
            _last = value > _last ? value : _last + 1;
            value = _last;
        }

        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
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
