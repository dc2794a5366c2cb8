using System.Buffers.Binary;
using EdgeAgent.Models.Packages;

namespace EdgeAgent.Models.Tests.Packages;

/// <summary>Inputs the <c>package</c> fuzz target (<see cref="PackageFuzzTests"/>) found, rebuilt from a real package the way they were found.</summary>
public sealed class PackageFuzzRegressionTests : IDisposable
{
    private readonly PackageFixture _fx = new();

    [Fact]
    public void Verify_ManifestWithCorruptDeflateData_MalformedNotInvalidDataException()
    {
        var bytes = File.ReadAllBytes(_fx.Build());
        // manifest.json is the first entry: its data follows the 30-byte local header, the name and the extra field.
        var data = 30 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(28));
        bytes.AsSpan(data, 4).Fill(0xFF); // a deflate block of the reserved type

        AssertMalformed(bytes);
    }

    [Fact]
    public void Verify_ManifestWithUnknownCompressionMethod_MalformedNotInvalidDataException()
    {
        var bytes = File.ReadAllBytes(_fx.Build());
        var central = bytes.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x50, 0x4B, 0x01, 0x02]); // the first central directory header: manifest.json's
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(central + 10), 99);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 99);

        AssertMalformed(bytes);
    }

    public void Dispose() => _fx.Dispose();

    private void AssertMalformed(byte[] bytes)
    {
        var path = _fx.NewPackagePath();
        File.WriteAllBytes(path, bytes);

        var result = _fx.Verify(path);

        Assert.False(result.IsAccepted);
        Assert.Equal(RejectionCode.Malformed, result.Rejection!.Code);
    }
}
