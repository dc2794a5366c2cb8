using CsCheck;

namespace EdgeAgent.Testing.Fuzzing;

/// <summary>
/// Mutated copies of real inputs, as a mutation fuzzer makes them: bit flips, bytes set to random or boundary
/// values, truncation, insertion, deletion, duplication and splicing with another seed. The edits are generated
/// values applied in order, so CsCheck shrinks a failing input towards fewer and smaller edits of the seed.
/// </summary>
public static class ByteMutations
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x10, 0x40];

    /// <summary>One to <paramref name="maxEdits"/> edits of one of <paramref name="seeds"/> (zero edits too, now and then).</summary>
    public static Gen<byte[]> Of(IReadOnlyList<byte[]> seeds, int maxEdits = 8)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var edit = Gen.Select(Gen.Int[0, 8], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Byte);
        return Gen.Select(Gen.Int[0, seeds.Count - 1], edit.Array[0, maxEdits], Gen.Int[0, seeds.Count - 1])
            .Select(t => Apply(seeds[t.Item1], t.Item2, seeds[t.Item3]));
    }

    /// <summary>The edits applied to a copy of <paramref name="seed"/>; <paramref name="other"/> is what a splice takes from.</summary>
    public static byte[] Apply(byte[] seed, (int Op, int A, int B, byte Value)[] edits, byte[] other)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(edits);
        ArgumentNullException.ThrowIfNull(other);
        var bytes = new List<byte>(seed);
        foreach (var (op, a, b, value) in edits)
        {
            if (bytes.Count == 0)
            {
                bytes.Add(value);
                continue;
            }

            int at = a % bytes.Count, length = 1 + (b % Math.Max(1, Math.Min(64, bytes.Count - at)));
            switch (op)
            {
                case 0:
                    bytes[at] ^= (byte)(1 << (b % 8));
                    break;
                case 1:
                    bytes[at] = value;
                    break;
                case 2:
                    bytes[at] = Interesting[b % Interesting.Length];
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
                case 4:
                    bytes.InsertRange(at, Enumerable.Repeat(value, length));
                    break;
                case 5:
                    bytes.RemoveRange(at, Math.Min(length, bytes.Count - at));
                    break;
                case 6:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(length, bytes.Count - at)));
                    break;
                case 7:
                    // Splice: this seed's head, the other's tail from a position of its own.
                    var from = other.Length == 0 ? 0 : b % other.Length;
                    bytes.RemoveRange(at, bytes.Count - at);
                    bytes.AddRange(other.AsSpan(from).ToArray());
                    break;
                default:
                    // A 32-bit field (a length, a size, a dimension) set to a boundary value.
                    var word = (b % 4) switch { 0 => 0u, 1 => uint.MaxValue, 2 => 0x7FFFFFFFu, _ => 0x80000000u };
                    for (var i = 0; i < 4 && at + i < bytes.Count; i++)
                    {
                        bytes[at + i] = (byte)(word >> (8 * i));
                    }

                    break;
            }
        }

        return [.. bytes];
    }
}
