using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EdgeAgent.Decisions;

/// <summary>Which OK/NG verdicts go to the review queue for spot checks: a fixed share, picked by the verdict's id.</summary>
public static class SpotCheck
{
    /// <summary>
    /// True for about <paramref name="rate"/> of ids. A hash of the id, not a random draw: the pick is the same after a
    /// restart or on another reader, and ids judged in one millisecond (consecutive) are still spread evenly.
    /// </summary>
    public static bool Picks(string verdictId, double rate)
    {
        ArgumentNullException.ThrowIfNull(verdictId);
        if (rate <= 0)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(verdictId), hash);
        return BinaryPrimitives.ReadUInt32LittleEndian(hash) < rate * uint.MaxValue;
    }
}
