using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EdgeAgent.Verdicts;

/// <summary>
/// Makes ULIDs (26 Crockford base-32 characters: 48-bit millisecond time, 80 random bits), so verdict
/// ids sort by time across restarts and boxes and need no coordination. Monotonic within a process: an id made
/// in the same millisecond as the last (or while the clock stepped back) sorts after it, so ids sort in the order
/// they were handed out (the order ingest found pairs; the decision and event outboxes send in id order).
/// </summary>
/// <remarks>
/// Unguessable too (issue 17, hole 4): the ULID spec's monotonic variant makes such an id the last one plus one, so a
/// spoofer that saw one verdict could pre-publish fake ones under the next ids and win a consumer's "first message per
/// id". Here such an id keeps the last one's time and upper 16 random bits, adds one to them, and draws its lower 64
/// bits afresh from the CSPRNG: the order holds, and the next id is one of 2^64 equally likely values. After 65 536
/// ids in one millisecond the carry reaches the time part (the id then reads a millisecond later), as the +1 did.
/// </remarks>
public sealed class VerdictIdGenerator(TimeProvider time)
{
    /// <summary>Fresh CSPRNG bits at the end of every id, also one made in the same millisecond as the last.</summary>
    public const int FreshRandomBits = 64;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly UInt128 RandomMask = (UInt128.One << 80) - 1;
    private static readonly UInt128 FreshMask = (UInt128.One << FreshRandomBits) - 1;
    private readonly Lock _gate = new();
    private UInt128 _last;

    /// <summary>A new id for a verdict decided now.</summary>
    public string Next()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random[6..]);
        var drawn = BinaryPrimitives.ReadUInt128BigEndian(random) & RandomMask;
        var value = ((UInt128)(ulong)time.GetUtcNow().ToUnixTimeMilliseconds() << 80) | drawn;
        lock (_gate)
        {
            if (value <= _last)
            {
                // Same millisecond (or the clock went back): count in the bits above the fresh ones, keep those fresh.
                value = (((_last >> FreshRandomBits) + 1) << FreshRandomBits) | (drawn & FreshMask);
            }

            _last = value;
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return Encode(bytes);
    }

    /// <summary>The 128-bit value a ULID spells (time in the top 48 bits); for tests and tools that compare ids numerically.</summary>
    public static UInt128 ValueOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Decode(id);
    }

    /// <summary>The time encoded in a ULID's first ten characters (when the verdict id was made).</summary>
    public static DateTimeOffset TimestampOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return DateTimeOffset.FromUnixTimeMilliseconds((long)Decode(id.AsSpan(0, 10)));
    }

    /// <summary>As <see cref="TimestampOf"/>, or null when <paramref name="id"/> is not a ULID.</summary>
    // A first character above '6' would be a time past the year 9999, which DateTimeOffset cannot hold.
    public static DateTimeOffset? TryTimestampOf(string? id) =>
        id is { Length: 26 } && id.AsSpan().IndexOfAnyExcept(Alphabet) < 0 && id[0] <= '6' ? TimestampOf(id) : null;

    // Crockford base 32, most significant character first.
    private static UInt128 Decode(ReadOnlySpan<char> chars)
    {
        UInt128 value = 0;
        foreach (var c in chars)
        {
            value = (value << 5) | (uint)Alphabet.IndexOf(c, StringComparison.Ordinal);
        }

        return value;
    }

    private static string Encode(ReadOnlySpan<byte> bytes)
    {
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        Span<char> chars = stackalloc char[26];
        for (int i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }
}
