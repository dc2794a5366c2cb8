using EdgeAgent.Testing;
using EdgeAgent.Testing.PowerCut;

namespace EdgeAgent.Storage.Tests.PowerCut;

/// <summary>
/// The power-cut layer itself must be able to fail a test: what was not fsync'ed is gone after a cut, what was
/// survives, and in directory mode a rename nobody fsync'ed the directory for is undone.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PowerCutFileSystemTests : IDisposable
{
    private readonly TempFolder _temp = new("edgeagent-powercut-");

    [Fact]
    public void Cut_WriteWithoutFsync_IsGone()
    {
        using var fs = PowerCutFileSystem.Mount(_temp.Path);
        var path = Path.Combine(fs.MountPoint, "a.bin");
        Write(path, "first", sync: true);
        Write(path, "second, longer and never synced", sync: false);
        Assert.Equal("second, longer and never synced", File.ReadAllText(path));

        fs.Cut();

        Assert.Equal("first", File.ReadAllText(path));
    }

    [Fact]
    public void Cut_WriteWithFsync_Survives_AndIsCounted()
    {
        using var fs = PowerCutFileSystem.Mount(_temp.Path);
        var path = Path.Combine(fs.MountPoint, "b.bin");
        Write(path, "kept", sync: true);

        fs.Cut();

        Assert.Equal("kept", File.ReadAllText(path));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(fs.BackingDirectory, "b.bin")));
        Assert.Equal(1, fs.Counters.SyncsOf("/b.bin"));
    }

    [Fact]
    public void Cut_PartialOverwriteAndTruncate_ComeBackToTheSyncedBytes()
    {
        using var fs = PowerCutFileSystem.Mount(_temp.Path);
        var path = Path.Combine(fs.MountPoint, "c.bin");
        var synced = Enumerable.Range(0, 20_000).Select(i => (byte)i).ToArray();
        using (var stream = new FileStream(path, FileMode.Create))
        {
            stream.Write(synced);
            stream.Flush(flushToDisk: true);
            stream.Position = 5000;
            stream.Write(new byte[9000]);
            stream.SetLength(7000);
        }

        Assert.Equal(7000, new FileInfo(path).Length);

        fs.Cut();

        Assert.Equal(synced, File.ReadAllBytes(path));
    }

    [Fact]
    public void Cut_DirectoryMode_RenameWithoutDirectoryFsync_IsUndone()
    {
        using var fs = PowerCutFileSystem.Mount(_temp.Path, dropDirectoryOperations: true);
        var from = Path.Combine(fs.MountPoint, "from.txt");
        Write(from, "data", sync: true);
        SyncDirectory(fs.MountPoint);
        File.Move(from, Path.Combine(fs.MountPoint, "to.txt"));
        Write(Path.Combine(fs.MountPoint, "new.txt"), "synced file, unsynced name", sync: true);

        fs.Cut();

        Assert.Equal(["from.txt"], Directory.GetFileSystemEntries(fs.MountPoint).Select(Path.GetFileName));
        Assert.Equal("data", File.ReadAllText(from));
    }

    [Fact]
    public void Cut_DirectoryMode_RenameAfterDirectoryFsync_Survives()
    {
        using var fs = PowerCutFileSystem.Mount(_temp.Path, dropDirectoryOperations: true);
        var from = Path.Combine(fs.MountPoint, "from.txt");
        Write(from, "data", sync: true);
        File.Move(from, Path.Combine(fs.MountPoint, "to.txt"));
        SyncDirectory(fs.MountPoint);

        fs.Cut();

        Assert.Equal(["to.txt"], Directory.GetFileSystemEntries(fs.MountPoint).Select(Path.GetFileName));
    }

    public void Dispose() => _temp.Dispose();

    private static void Write(string path, string text, bool sync)
    {
        using var stream = new FileStream(path, FileMode.OpenOrCreate);
        stream.SetLength(0);
        stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
        stream.Flush(flushToDisk: sync);
    }

    private static void SyncDirectory(string path) => EdgeAgent.Hosting.DirectorySync.Sync(path);
}
