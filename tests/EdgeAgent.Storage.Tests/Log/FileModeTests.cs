using System.Runtime.InteropServices;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using LiteDB;

namespace EdgeAgent.Storage.Tests.Log;

/// <summary>
/// The data directory, its lock, the database and the archive get 0750 folders and 0640 files even under umask 0000
/// (a probe found the database 0666 there): the modes are set, not left to the umask.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FileModeTests : IDisposable
{
    private const UnixFileMode Folder = (UnixFileMode)0b111_101_000;
    private const UnixFileMode File640 = (UnixFileMode)0b110_100_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-modes-").FullName;

    [Fact]
    public void DataDirectoryDatabaseAndArchive_UnderUmaskZero_AreFolders0750AndFiles0640()
    {
        var data = Path.Combine(_dir, "data");
        var previous = SetUmask(0);
        try
        {
            using (DataDirectoryLock.Acquire(data))
            using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
            {
                log.Archive.Write([new BsonDocument { ["_id"] = "a", ["judgedAt"] = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc) }]);
            }
        }
        finally
        {
            SetUmask(previous);
        }

        Assert.Equal(Folder, File.GetUnixFileMode(data));
        Assert.Equal(File640, File.GetUnixFileMode(Path.Combine(data, "edgeagent.lock")));
        Assert.Equal(File640, File.GetUnixFileMode(Path.Combine(data, "edgeagent.db")));
        Assert.Equal(Folder, File.GetUnixFileMode(Path.Combine(data, "archive")));
        Assert.Equal(File640, File.GetUnixFileMode(Path.Combine(data, "archive", "verdicts-2026-11.db")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The umask is the process's; other tests running meanwhile only get wider modes in their own temp folders.
    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint SetUmask(uint mask);
}
