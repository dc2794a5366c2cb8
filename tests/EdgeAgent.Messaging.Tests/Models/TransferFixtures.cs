using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeAgent.Messaging.Models;

namespace EdgeAgent.Messaging.Tests.Models;

/// <summary>Packages of random bytes and the protocol messages that announce them.</summary>
internal static class TransferFixtures
{
    public const int ChunkSize = 16 * 1024;

    public static (string Path, byte[] Bytes) Package(string folder, int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        var path = System.IO.Path.Combine(folder, $"package-{seed}.eamodel");
        File.WriteAllBytes(path, bytes);
        return (path, bytes);
    }

    public static TransferBegin BeginFor(byte[] bytes, int chunkSize = ChunkSize)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return new TransferBegin(sha[..16], bytes.Length, sha, chunkSize, "model.eamodel", "tests");
    }

    public static byte[] Json(TransferBegin begin) => JsonSerializer.SerializeToUtf8Bytes(begin, ModelTransferJsonContext.Default.TransferBegin);

    public static byte[] End(string transferId) => JsonSerializer.SerializeToUtf8Bytes(new TransferEnd(transferId), ModelTransferJsonContext.Default.TransferEnd);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>The clock a few days on, to age transfers without waiting.</summary>
internal sealed class LaterClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}

/// <summary>The system clock moved on by hand, to pass idle and rate-limit windows without waiting.</summary>
internal sealed class ManualClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
