using System.Runtime.InteropServices;
using EdgeAgent.Models.Store;
using EdgeAgent.Testing;

namespace EdgeAgent.Models.Tests.Store;

/// <summary>The model store's folders are 0750 and its files (store.json, the model, install.json) 0640 even under umask 0000.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ModelStoreFileModeTests : IDisposable
{
    private const UnixFileMode Folder = (UnixFileMode)0b111_101_000;
    private const UnixFileMode File640 = (UnixFileMode)0b110_100_000;
    private readonly TempFolder _temp = new("edgeagent-store-modes-");

    [Fact]
    public void ImportAndActivate_UnderUmaskZero_FoldersAre0750AndFiles0640()
    {
        var folder = Path.Combine(_temp.Path, "models");
        StoredModel stored;
        var previous = SetUmask(0);
        try
        {
            var store = new ModelStore(folder, keepPrevious: 2);
            store.ImportLocal(RepoPaths.SmallModel, "stpm-small", "1.0.0");
            store.Activate("stpm-small", "1.0.0");
            stored = store.Active("stpm-small")!;
        }
        finally
        {
            SetUmask(previous);
        }

        var version = Path.GetDirectoryName(stored.ModelPath)!;
        Assert.Equal(Folder, File.GetUnixFileMode(folder));
        Assert.Equal(File640, File.GetUnixFileMode(Path.Combine(folder, "store.json")));
        Assert.Equal(Folder, File.GetUnixFileMode(version));
        Assert.Equal(Folder, File.GetUnixFileMode(Path.GetDirectoryName(version)!));
        Assert.Equal(File640, File.GetUnixFileMode(stored.ModelPath));
        Assert.Equal(File640, File.GetUnixFileMode(Path.Combine(version, "install.json")));
    }

    public void Dispose() => _temp.Dispose();

    // The umask is the process's; other tests running meanwhile only get wider modes in their own temp folders.
    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint SetUmask(uint mask);
}
