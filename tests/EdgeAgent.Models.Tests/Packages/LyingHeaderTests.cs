using System.Buffers.Binary;
using EdgeAgent.Models.Packages;

namespace EdgeAgent.Models.Tests.Packages;

public sealed class LyingHeaderTests : IDisposable
{
    private readonly PackageFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    /// <summary>
    /// A zip whose headers declare fewer bytes than its deflate stream holds (the classic way past size checks):
    /// only the declared, signed bytes may reach the disk.
    /// </summary>
    [Fact]
    public void Verify_EntryDataLongerThanItsHeadersSay_ExtractsOnlyTheDeclaredSignedBytes()
    {
        var real = PackageFixture.RandomBytes(100_000, seed: 5);
        const int Declared = 1000;
        var package = _fx.CraftSigned(PackageFixture.ManifestFor("m", "1", ("model.onnx", real[..Declared])), ("model.onnx", real));
        var bytes = File.ReadAllBytes(package);
        Assert.Equal(2, PatchUncompressedSize(bytes, "model.onnx", Declared));
        File.WriteAllBytes(package, bytes);

        var result = _fx.Verify(package);

        Assert.True(result.IsAccepted, result.Rejection?.ToString());
        Assert.Equal(real[..Declared], File.ReadAllBytes(result.Package.ModelPath));
    }

    [Fact]
    public void Verify_HeadersDeclareLessThanTheManifestLists_Tampered()
    {
        var model = PackageFixture.RandomBytes(100_000, seed: 6);
        var package = _fx.CraftSigned(PackageFixture.ManifestFor("m", "1", ("model.onnx", model)), ("model.onnx", model));
        var bytes = File.ReadAllBytes(package);
        PatchUncompressedSize(bytes, "model.onnx", 1000);
        File.WriteAllBytes(package, bytes);

        var result = _fx.Verify(package);

        Assert.Equal(RejectionCode.Tampered, result.Rejection?.Code);
    }

    /// <summary>Rewrites the uncompressed size in the local header (APPNOTE 4.3.7) and central header (4.3.12) of an entry.</summary>
    private static int PatchUncompressedSize(byte[] zip, string name, int size)
    {
        var nameBytes = System.Text.Encoding.ASCII.GetBytes(name);
        int patched = 0;
        for (int i = 0; i + 46 + nameBytes.Length <= zip.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50 && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), (uint)size);
                patched++;
            }
            else if (signature == 0x02014b50 && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), (uint)size);
                patched++;
            }
        }

        return patched;
    }
}
