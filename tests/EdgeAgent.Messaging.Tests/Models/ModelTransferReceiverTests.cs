using System.Buffers;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static EdgeAgent.Messaging.Tests.Models.TransferFixtures;

namespace EdgeAgent.Messaging.Tests.Models;

/// <summary>The box's transfer state on a real folder, without MQTT: what each message leads to.</summary>
public sealed class ModelTransferReceiverTests : IDisposable
{
    private readonly TempFolder _temp = new("edgeagent-transfer-");
    private readonly string _incoming;

    public ModelTransferReceiverTests() => _incoming = _temp.Sub("incoming");

    [Fact]
    public void Begin_NewTransfer_ListsEveryChunkAsMissing()
    {
        var (_, bytes) = Package(_temp.Path, (ChunkSize * 3) + 100);

        var status = Receiver().Begin(Json(BeginFor(bytes)));

        Assert.Equal((ModelStates.Receiving, "begin", 0, 4), (status.State, status.Command, status.Received, status.Total));
        Assert.Equal([0, 1, 2, 3], status.Missing);
    }

    [Fact]
    public void End_AllChunksReceived_AssemblesTheBitIdenticalPackage()
    {
        var (_, bytes) = Package(_temp.Path, (ChunkSize * 5) + 7);
        var receiver = Receiver();
        var begin = BeginFor(bytes);
        receiver.Begin(Json(begin));
        SendChunks(receiver, begin, bytes, Enumerable.Range(0, begin.ChunkCount).Reverse());

        var (status, completed) = receiver.End(End(begin.TransferId));

        Assert.Equal(ModelStates.Verifying, status.State);
        Assert.NotNull(completed);
        Assert.Equal(bytes, File.ReadAllBytes(completed.PackagePath));
        receiver.Finish(begin.TransferId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_incoming));
    }

    [Fact]
    public void End_ChunksMissing_ListsExactlyThoseAndCompletesNothing()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 6);
        var receiver = Receiver();
        var begin = BeginFor(bytes);
        receiver.Begin(Json(begin));
        SendChunks(receiver, begin, bytes, [0, 2, 3, 5]);

        var (status, completed) = receiver.End(End(begin.TransferId));

        Assert.Null(completed);
        Assert.Equal((ModelStates.Receiving, 4), (status.State, status.Received));
        Assert.Equal([1, 4], status.Missing);
    }

    [Fact]
    public void Begin_SameTransferOnAReceiverStartedAfresh_ResumesWithTheChunksOnDisk()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 8);
        var begin = BeginFor(bytes);
        var first = Receiver();
        first.Begin(Json(begin));
        SendChunks(first, begin, bytes, [0, 1, 2]);
        // A crash in the middle of a chunk write leaves its temporary file: not a received chunk.
        File.WriteAllBytes(Path.Combine(_incoming, begin.TransferId, "chunks", "3.part"), new byte[10]);

        var restarted = Receiver();
        var status = restarted.Begin(Json(begin with { Sender = "someone else" }));

        Assert.Equal(1, restarted.OpenCount);
        Assert.Equal((3, 8), (status.Received, status.Total));
        Assert.Equal([3, 4, 5, 6, 7], status.Missing);
        SendChunks(restarted, begin, bytes, status.Missing);
        var (_, completed) = restarted.End(End(begin.TransferId));
        Assert.Equal(bytes, File.ReadAllBytes(completed!.PackagePath));
    }

    [Fact]
    public void Begin_SameIdOtherFieldsWhileTheTransferProgresses_RefusedAndTheOriginalKept()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 4);
        var receiver = Receiver();
        var begin = BeginFor(bytes);
        receiver.Begin(Json(begin));
        SendChunks(receiver, begin, bytes, [0, 1]);

        var hijack = receiver.Begin(Json(begin with { Size = 1024 * 1024, ChunkSize = ChunkSize * 2, Sender = "attacker" }));
        SendChunks(receiver, begin, bytes, [2, 3]);

        Assert.Equal((ModelStates.Rejected, TransferReasons.TransferConflict), (hijack.State, hijack.Reason));
        var (status, completed) = receiver.End(End(begin.TransferId));
        Assert.Equal(ModelStates.Verifying, status.State);
        Assert.Equal(bytes, File.ReadAllBytes(completed!.PackagePath));
    }

    [Fact]
    public void Begin_SameIdOtherPackageOnceTheTransferIsIdle_StartsOver()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 4);
        var clock = new ManualClock();
        var receiver = Receiver(clock: clock);
        var begin = BeginFor(bytes);
        receiver.Begin(Json(begin));
        SendChunks(receiver, begin, bytes, [0, 1]);
        clock.Offset = new ModelTransferLimits().IdleAfter;

        var status = receiver.Begin(Json(begin with { ChunkSize = ChunkSize * 2 }));

        Assert.Equal((ModelStates.Receiving, 0, 2), (status.State, status.Received, status.Total));
    }

    [Fact]
    public void Begin_SameIdWhileItsPackageIsBeingInstalled_RefusedHoweverLongTheInstallTakes()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 2);
        var clock = new ManualClock();
        var receiver = Receiver(clock: clock);
        var begin = BeginFor(bytes);
        receiver.Begin(Json(begin));
        SendChunks(receiver, begin, bytes, [0, 1]);
        var (_, completed) = receiver.End(End(begin.TransferId));
        clock.Offset = TimeSpan.FromHours(1);

        var status = receiver.Begin(Json(begin with { ChunkSize = ChunkSize * 2 }));

        Assert.Equal(TransferReasons.TransferConflict, status.Reason);
        Assert.Equal(bytes, File.ReadAllBytes(completed!.PackagePath));
    }

    [Fact]
    public void Begin_BothSlotsHeldByBareBegins_ATechniciansBeginTakesTheIdlestSlotAfterIdleAfter()
    {
        var (clock, receiver, squat1, squat2, real) = BothSlotsSquatted();

        var tooEarly = receiver.Begin(Json(BeginFor(real)));
        clock.Offset = new ModelTransferLimits().IdleAfter + TimeSpan.FromSeconds(1);
        // Squatting again with a repeated begin is no progress: it keeps no slot.
        receiver.Begin(Json(squat1));
        var status = receiver.Begin(Json(BeginFor(real)));

        Assert.Equal(TransferReasons.Busy, tooEarly.Reason);
        Assert.Equal((ModelStates.Receiving, 2), (status.State, status.Total));
        Assert.False(Directory.Exists(Path.Combine(_incoming, squat1.TransferId)));
        Assert.True(Directory.Exists(Path.Combine(_incoming, squat2.TransferId)));
    }

    [Fact]
    public void Begin_SignedPushWhileBareBeginsHoldEverySlot_TakesTheSlotOfTheLeastRecentlyProgressedAtOnce()
    {
        var (clock, receiver, squat1, squat2, real) = BothSlotsSquatted();

        var unsigned = receiver.Begin(Json(BeginFor(real)));
        var forged = receiver.Begin(Json(Signed(BeginFor(real), keyId: "mallory")));
        var status = receiver.Begin(Json(Signed(BeginFor(real))));

        Assert.Equal((TransferReasons.Busy, TransferReasons.Busy), (unsigned.Reason, forged.Reason));
        Assert.Equal((ModelStates.Receiving, 2), (status.State, status.Total));
        Assert.False(Directory.Exists(Path.Combine(_incoming, squat1.TransferId)));
        Assert.True(Directory.Exists(Path.Combine(_incoming, squat2.TransferId)));
    }

    [Fact]
    public void Begin_SignedPushWhoseIdABareBeginSquats_ReplacesTheSquatterAtOnce()
    {
        var receiver = Receiver();
        var (_, bytes) = Package(_temp.Path, ChunkSize * 2);
        var real = BeginFor(bytes);
        receiver.Begin(Json(real with { Size = real.Size + 1 }));

        var status = receiver.Begin(Json(Signed(real)));

        Assert.Equal((ModelStates.Receiving, 2), (status.State, status.Total));
    }

    [Fact]
    public void Begin_SignedPushWhileSignedPushesHoldEverySlot_AnsweredBusy()
    {
        var receiver = Receiver();
        receiver.Begin(Json(Signed(BeginFor(Package(_temp.Path, ChunkSize, seed: 1).Bytes))));
        receiver.Begin(Json(Signed(BeginFor(Package(_temp.Path, ChunkSize, seed: 2).Bytes))));

        var status = receiver.Begin(Json(Signed(BeginFor(Package(_temp.Path, ChunkSize, seed: 3).Bytes))));

        Assert.Equal(TransferReasons.Busy, status.Reason);
        Assert.Equal(2, receiver.OpenCount);
    }

    [Fact]
    public void Begin_PackageWouldEatIntoTheDiskReserve_RefusedNoSpaceWithoutTouchingTheDisk()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 2);
        var free = new DriveInfo(_incoming).AvailableFreeSpace;
        var receiver = Receiver(new ModelTransferLimits { ReserveBytes = free + (1024L * 1024 * 1024) });

        var status = receiver.Begin(Json(BeginFor(bytes)));

        Assert.Equal((ModelStates.Rejected, TransferReasons.NoSpace), (status.State, status.Reason));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_incoming));
    }

    [Fact]
    public void Chunk_FreeDiskWouldFallBelowTheReserve_RefusedNoSpaceOnceAndNotWritten()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 3);
        var limits = new ModelTransferLimits { ReserveBytes = 0 };
        var receiver = Receiver(limits);
        var begin = BeginFor(bytes);
        receiver.Begin(Json(begin));
        // The disk fills up while the chunks arrive (another writer): the reserve is now above what is free.
        limits.ReserveBytes = new DriveInfo(_incoming).AvailableFreeSpace + (1024L * 1024 * 1024);

        var first = receiver.Chunk(begin.TransferId, "0", new ReadOnlySequence<byte>(bytes.AsMemory(0, ChunkSize)));
        var second = receiver.Chunk(begin.TransferId, "1", new ReadOnlySequence<byte>(bytes.AsMemory(ChunkSize, ChunkSize)));

        Assert.Equal((ModelStates.Failed, TransferReasons.NoSpace), (first!.State, first.Reason));
        Assert.Null(second);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_incoming, begin.TransferId, "chunks")));
        Assert.Equal([0, 1, 2], receiver.End(End(begin.TransferId)).Status.Missing);
    }

    [Fact]
    public void End_ChunkDataCorrupted_RejectedAsChecksumAndDropped()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 3);
        var receiver = Receiver();
        var begin = BeginFor(bytes);
        receiver.Begin(Json(begin));
        var corrupted = (byte[])bytes.Clone();
        corrupted[ChunkSize + 5] ^= 0x40;
        SendChunks(receiver, begin, corrupted, [0, 1, 2]);

        var (status, completed) = receiver.End(End(begin.TransferId));

        Assert.Null(completed);
        Assert.Equal((ModelStates.Rejected, TransferReasons.Checksum), (status.State, status.Reason));
        Assert.Equal(0, receiver.OpenCount);
        Assert.Equal(TransferReasons.UnknownTransfer, receiver.End(End(begin.TransferId)).Status.Reason);
    }

    [Theory]
    [InlineData(2_000_000, ChunkSize, TransferReasons.Oversized)] // package over the 1 MB limit set below
    [InlineData(100_000, 128 * 1024, TransferReasons.Oversized)]  // chunk over the 64 KiB limit
    [InlineData(100_000, 1024, TransferReasons.Malformed)]        // chunks too small to be sensible
    public void Begin_SizesOutsideTheLimits_Rejected(long size, int chunkSize, string reason)
    {
        var begin = new TransferBegin("abc123", size, new string('a', 64), chunkSize, "m.eamodel", "tests");
        var receiver = Receiver(new ModelTransferLimits { MaxPackageBytes = 1_000_000, MaxChunkBytes = 64 * 1024 });

        var status = receiver.Begin(Json(begin));

        Assert.Equal((ModelStates.Rejected, reason, "abc123"), (status.State, status.Reason, status.TransferId));
        Assert.Equal(0, receiver.OpenCount);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("""{"transferId":"../../etc","size":10,"sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","chunkSize":4096,"fileName":"x"}""")]
    [InlineData("""{"transferId":"ok","size":10,"sha256":"not-hex","chunkSize":4096,"fileName":"x"}""")]
    [InlineData("""{"transferId":"ok","size":10}""")]
    public void Begin_MalformedMessage_RejectedWithoutTouchingTheDisk(string json)
    {
        var receiver = Receiver();

        var status = receiver.Begin(Utf8(json));

        Assert.Equal((ModelStates.Rejected, TransferReasons.Malformed), (status.State, status.Reason));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_incoming));
    }

    [Fact]
    public void Begin_MoreTransfersThanTheLimit_AnsweredBusy()
    {
        var receiver = Receiver(new ModelTransferLimits { MaxConcurrentTransfers = 1 });
        receiver.Begin(Json(BeginFor(Package(_temp.Path, ChunkSize, seed: 1).Bytes)));

        var status = receiver.Begin(Json(BeginFor(Package(_temp.Path, ChunkSize, seed: 2).Bytes)));

        Assert.Equal(TransferReasons.Busy, status.Reason);
    }

    [Fact]
    public void Chunk_WrongLengthOrIndex_DroppedAndStillMissing()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 2);
        var receiver = Receiver();
        var begin = BeginFor(bytes);
        receiver.Begin(Json(begin));

        Assert.Null(receiver.Chunk(begin.TransferId, "0", new ReadOnlySequence<byte>(bytes.AsMemory(0, 100))));
        Assert.Null(receiver.Chunk(begin.TransferId, "7", new ReadOnlySequence<byte>(bytes.AsMemory(0, ChunkSize))));
        Assert.Null(receiver.Chunk(begin.TransferId, "-1", new ReadOnlySequence<byte>(bytes.AsMemory(0, ChunkSize))));

        Assert.Equal([0, 1], receiver.End(End(begin.TransferId)).Status.Missing);
    }

    [Fact]
    public void Receiver_TransferUntouchedLongerThanStaleAfter_DeletedAtStart()
    {
        var (_, bytes) = Package(_temp.Path, ChunkSize * 2);
        var receiver = Receiver();
        receiver.Begin(Json(BeginFor(bytes)));

        var later = new ModelTransferReceiver(_incoming, new ModelTransferLimits(), new LaterClock(TimeSpan.FromDays(2)), NullLogger.Instance);

        Assert.Equal(0, later.OpenCount);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_incoming));
    }

    public void Dispose() => _temp.Dispose();

    // Both transfer slots held by bare begins (the second 30 s after the first), and a technician's package to push.
    private (ManualClock Clock, ModelTransferReceiver Receiver, TransferBegin Squat1, TransferBegin Squat2, byte[] Real) BothSlotsSquatted()
    {
        var clock = new ManualClock();
        var receiver = Receiver(clock: clock);
        var squat1 = BeginFor(Package(_temp.Path, ChunkSize, seed: 1).Bytes);
        var squat2 = BeginFor(Package(_temp.Path, ChunkSize, seed: 2).Bytes);
        var (_, real) = Package(_temp.Path, ChunkSize * 2, seed: 3);
        receiver.Begin(Json(squat1));
        clock.Offset = TimeSpan.FromSeconds(30);
        receiver.Begin(Json(squat2));
        return (clock, receiver, squat1, squat2, real);
    }

    private ModelTransferReceiver Receiver(ModelTransferLimits? limits = null, TimeProvider? clock = null) =>
        new(_incoming, limits ?? new ModelTransferLimits(), clock ?? TimeProvider.System, NullLogger.Instance, IsTechnicians);

    // Stands in for the box's signature check (CommandAuthenticator, proven in EdgeAgent.Models.Tests): only the receiver's rules are under test here.
    private static bool IsTechnicians(TransferBegin begin) => begin.Signature?.KeyId == "technician";

    private static TransferBegin Signed(TransferBegin begin, string keyId = "technician") =>
        begin with { Signature = new CommandSignature(keyId, DateTimeOffset.UtcNow, "0123456789abcdef0123456789abcdef", "c2ln") };

    private static void SendChunks(ModelTransferReceiver receiver, TransferBegin begin, byte[] bytes, IEnumerable<int> indices)
    {
        foreach (var index in indices)
        {
            var chunk = bytes.AsMemory(index * begin.ChunkSize, (int)begin.LengthOf(index));
            receiver.Chunk(begin.TransferId, index.ToString(System.Globalization.CultureInfo.InvariantCulture), new ReadOnlySequence<byte>(chunk));
        }
    }
}
