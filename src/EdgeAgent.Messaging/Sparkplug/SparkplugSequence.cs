namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>
/// The payload <c>seq</c> of one edge node: 0 on every NBIRTH, then one more on each message after it (DBIRTH, DDATA),
/// 255 wrapping to 0 (tck-id-payloads-sequence-num-incrementing). NDEATH carries none. Not thread-safe: the node's
/// single loop owns it.
/// </summary>
public sealed class SparkplugSequence
{
    private ulong _last;

    /// <summary>The seq of an NBIRTH: 0, and the sequence starts again from it.</summary>
    public ulong Birth() => _last = 0;

    /// <summary>The seq of the next message after the birth.</summary>
    public ulong Next() => _last = (_last + 1) % 256;
}
