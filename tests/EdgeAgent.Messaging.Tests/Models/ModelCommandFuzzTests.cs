using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Testing;
using EdgeAgent.Testing.Fuzzing;
using Microsoft.Extensions.Logging.Abstractions;
using static EdgeAgent.Messaging.Tests.Models.TransferFixtures;

namespace EdgeAgent.Messaging.Tests.Models;

/// <summary>
/// Fuzz target <c>mqtt</c>, the box's side: sequences of begin, chunk and end messages as anyone on the broker can
/// send them (random text, mutated real messages, well-formed JSON with hostile values, chunk topics with any
/// transfer id and index) into a real <see cref="ModelTransferReceiver"/> on a real folder. Every begin and end is
/// answered with a status, a refusal carrying one of the documented reasons; a chunk is stored, dropped or refused;
/// nothing throws and nothing is written outside the receiver's folder.
/// </summary>
[Trait("Category", "Fuzz")]
[Trait("FuzzTarget", "mqtt")]
public sealed class ModelCommandFuzzTests : IDisposable
{
    internal static readonly FuzzTarget Target = new("mqtt", Properties: 2);

    internal static readonly string[] Reasons =
    [
        TransferReasons.Malformed, TransferReasons.Oversized, TransferReasons.Checksum, TransferReasons.Busy, TransferReasons.UnknownTransfer,
        TransferReasons.Storage, TransferReasons.NoSpace, TransferReasons.TransferConflict,
    ];

    private const string ValidId = "fuzz-transfer-1";
    private static readonly byte[] PackageBytes = MakePackage();
    private static readonly TransferBegin ValidBegin = BeginFor(PackageBytes, ModelTransferLimits.MinChunkBytes) with { TransferId = ValidId };

    private readonly TempFolder _temp = new("edgeagent-fuzz-mqtt-");

    /// <summary>Payloads of begin and end commands: random text, mutated real ones, and JSON with hostile values.</summary>
    internal static Gen<byte[]> CommandPayloads { get; } = Gen.Frequency(
        (2, FuzzStrings.Any().Select(s => Encoding.UTF8.GetBytes(s))),
        (3, ByteMutations.Of([Json(ValidBegin), End(ValidId), Utf8("{\"requestId\":\"r1\",\"name\":\"stpm-r18-synth\",\"sender\":\"t\"}")], 4)),
        (5, HostileJson()));

    [Fact]
    public void Receiver_AnySequenceOfBeginChunkEnd_AnsweredNeverThrows()
    {
        var message = Gen.Select(Gen.Int[0, 2], CommandPayloads, Gen.Frequency((3, Gen.Const(ValidId)), (1, FuzzStrings.Any(3))), ChunkIndex(), ChunkLength());
        var gen = message.Array[1, 12];
        var round = 0;
        Fuzz.Run(Target, "receiver", gen, messages =>
        {
            var folder = Path.Combine(_temp.Path, (round++).ToString(CultureInfo.InvariantCulture));
            var receiver = new ModelTransferReceiver(folder, new ModelTransferLimits { ReserveBytes = 0 }, TimeProvider.System, NullLogger.Instance);
            foreach (var (kind, payload, transferId, index, length) in messages)
            {
                switch (kind)
                {
                    case 0:
                        AssertAnswer(receiver.Begin(payload), ModelStates.Receiving);
                        break;
                    case 1:
                        var chunk = receiver.Chunk(transferId, index, new ReadOnlySequence<byte>(ChunkOf(index, length)));
                        if (chunk is not null)
                        {
                            Assert.Contains(chunk.State, (string[])[ModelStates.Receiving, ModelStates.Failed]);
                        }

                        break;
                    default:
                        var (status, completed) = receiver.End(payload);
                        AssertAnswer(status, ModelStates.Receiving, ModelStates.Verifying);
                        if (completed is not null)
                        {
                            Assert.Equal(PackageBytes, File.ReadAllBytes(completed.PackagePath));
                            receiver.Finish(completed.Begin.TransferId);
                        }

                        break;
                }
            }

            // Transfer ids become folder names: whatever was sent, nothing lands beside the receiver's folder.
            Assert.All(Directory.GetDirectories(_temp.Path), d => Assert.Equal(folder, d));
            Directory.Delete(folder, recursive: true);
        }, messages => string.Join("\n", messages.Select(m => $"{m.Item1} '{Encoding.UTF8.GetString(m.Item2)}' id '{m.Item3}' index '{m.Item4}' length {m.Item5}")));
    }

    public void Dispose() => _temp.Dispose();

    internal static void AssertAnswer(ModelStatus status, params string[] accepted)
    {
        if (status.State == ModelStates.Rejected)
        {
            Assert.Contains(status.Reason, Reasons);
            Assert.False(string.IsNullOrEmpty(status.Detail));
        }
        else
        {
            Assert.Contains(status.State, accepted);
        }
    }

    // Well-formed JSON objects whose fields are missing, null, of the wrong type, or hostile values of the right one.
    private static Gen<byte[]> HostileJson()
    {
        var text = Gen.Frequency((3, FuzzStrings.Any(4).Select(s => (JsonNode?)JsonValue.Create(s))), (1, Gen.Const((JsonNode?)null)), (1, Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n))));
        var number = Gen.Frequency(
            (3, Gen.Int[0, 8].Select(i => (JsonNode?)JsonValue.Create(new[] { 0L, 1L, -1L, 4095L, 4096L, 5000L, int.MaxValue, long.MaxValue, PackageBytes.Length }[i]))),
            (1, Gen.Double.Select(d => (JsonNode?)JsonValue.Create(double.IsFinite(d) ? d : 1.5))),
            (1, text));
        var field = Gen.Select(Gen.Int[0, 8], Gen.Bool, text, number);
        return field.Array[0, 8].Select(fields =>
        {
            var json = new JsonObject
            {
                ["transferId"] = ValidId,
                ["size"] = PackageBytes.Length,
                ["sha256"] = ValidBegin.Sha256,
                ["chunkSize"] = ValidBegin.ChunkSize,
                ["fileName"] = "model.eamodel",
            };
            foreach (var (which, remove, textValue, numberValue) in fields)
            {
                var name = new[] { "transferId", "size", "sha256", "chunkSize", "fileName", "sender", "requestId", "name", "product" }[which];
                if (remove)
                {
                    json.Remove(name);
                }
                else
                {
                    json[name] = which is 1 or 3 ? numberValue?.DeepClone() : textValue?.DeepClone();
                }
            }

            return Encoding.UTF8.GetBytes(json.ToJsonString());
        });
    }

    // The package's own bytes from where the index says the chunk starts, so a right index and length complete the transfer.
    private static ReadOnlyMemory<byte> ChunkOf(string index, int length)
    {
        var start = int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i is >= 0 and <= 2 ? i * ModelTransferLimits.MinChunkBytes : 0;
        return PackageBytes.AsMemory(start, Math.Min(length, PackageBytes.Length - start));
    }

    private static Gen<string> ChunkIndex() => Gen.Frequency(
        (4, Gen.Int[0, 3].Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, FuzzStrings.Any(3)),
        (1, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))));

    private static Gen<int> ChunkLength() => Gen.Int[0, 5].Select(i => new[] { 0, 1, 904, 4096, 4097, PackageBytes.Length % 4096 }[i]);

    private static byte[] MakePackage()
    {
        var bytes = new byte[(2 * ModelTransferLimits.MinChunkBytes) + 904];
        new Random(5).NextBytes(bytes);
        return bytes;
    }
}
