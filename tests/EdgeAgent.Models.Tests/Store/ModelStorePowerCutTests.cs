using System.Globalization;
using System.Security.Cryptography;
using EdgeAgent.Models.Store;
using EdgeAgent.Testing;
using EdgeAgent.Testing.PowerCut;

namespace EdgeAgent.Models.Tests.Store;

/// <summary>
/// The model store on the power-cut file system (unsynced writes dropped, and in directory mode unsynced renames and
/// creates undone): after every cut the store opens without a recovery, and the active model is the one last
/// activated, its bytes those that were imported.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ModelStorePowerCutTests : IDisposable
{
    private const string Name = "stpm-r18-synth";
    private readonly TempFolder _temp = new("edgeagent-powercut-");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Activate_PowerCutAfterwards_StoreOpensWithTheLastActivatedModel(bool dropDirectoryOperations)
    {
        using var fs = PowerCutFileSystem.Mount(_temp.Sub("fs"), dropDirectoryOperations);
        var folder = Path.Combine(fs.MountPoint, "data", "models");
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        string? lastActivated = null;
        for (int round = 0; round < 6; round++)
        {
            var store = new ModelStore(folder, keepPrevious: 2);
            Assert.Null(store.Recovery);
            Assert.Equal(lastActivated, store.Active(Name)?.Version);
            if (store.Active(Name) is { } active)
            {
                Assert.Equal(hashes[active.Version], Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(active.ModelPath))));
            }

            var version = string.Create(CultureInfo.InvariantCulture, $"1.0.{round}");
            var source = Path.Combine(_temp.Path, version + ".onnx");
            File.WriteAllBytes(source, RandomNumberGenerator.GetBytes(64 * 1024 + round));
            hashes[version] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(source)));
            store.ImportLocal(source, Name, version);
            if (round % 3 != 2)
            {
                store.Activate(Name, version); // every third round: imported, never activated, then the cut
                lastActivated = version;
            }

            fs.Cut();
        }

        var reopened = new ModelStore(folder, keepPrevious: 2);
        Assert.Null(reopened.Recovery);
        Assert.Equal(lastActivated, reopened.Active(Name)?.Version);
    }

    public void Dispose() => _temp.Dispose();
}
