using System.IO.Compression;
using CsCheck;
using EdgeAgent.Models.Packages;
using EdgeAgent.Testing.Fuzzing;

namespace EdgeAgent.Models.Tests.Packages;

/// <summary>
/// Fuzz target <c>package</c>: a real signed package (<see cref="ModelPackageBuilder"/>, a trusted key) mutated two
/// ways: its file's bytes (zip directory, local headers, deflated data), and its entries (names and contents,
/// rebuilt into a well-formed zip, the manifest re-signed with the trusted key half the time so a mutated manifest
/// reaches the parser). The verifier answers with a <see cref="PackageRejection"/> or accepts, never throws; on
/// refusal the staging folder is gone; what it accepts is byte for byte the payload that was signed.
/// </summary>
[Trait("Category", "Fuzz")]
[Trait("FuzzTarget", "package")]
public sealed class PackageFuzzTests : IDisposable
{
    private static readonly FuzzTarget Target = new("package", Properties: 2);

    private static readonly string[] Codes =
    [
        RejectionCode.Oversized, RejectionCode.PathTraversal, RejectionCode.Malformed, RejectionCode.Unsigned,
        RejectionCode.UntrustedKey, RejectionCode.BadSignature, RejectionCode.Tampered,
    ];

    private readonly PackageFixture _fx = new();
    private readonly byte[] _package;
    private readonly List<(string Name, byte[] Bytes)> _entries;

    public PackageFuzzTests()
    {
        var path = _fx.Build();
        _package = File.ReadAllBytes(path);
        _entries = PackageFixture.ReadEntries(path);
    }

    [Fact]
    public void Verify_MutatedPackageFile_RejectedWithAReasonOrIdentical()
    {
        Fuzz.Run(Target, "file-bytes", ByteMutations.Of([_package]), bytes =>
        {
            var path = _fx.NewPackagePath();
            File.WriteAllBytes(path, bytes);
            AssertVerdict(path);
        }, bytes => $"{bytes.Length} bytes, differing from the original at {Differences(bytes)}");
    }

    [Fact]
    public void Verify_MutatedEntries_RejectedWithAReasonOrIdentical()
    {
        var edit = Gen.Select(Gen.Int[0, _entries.Count - 1], ByteMutationsOfEntries(), FuzzStrings.Any(4), Gen.Int[0, 9]);
        var gen = Gen.Select(edit.Array[1, 3], Gen.Bool, Gen.Bool);
        Fuzz.Run(Target, "entries", gen, t =>
        {
            var entries = _entries.Select(e => (e.Name, e.Bytes)).ToList();
            foreach (var (index, mutate, name, kind) in t.Item1)
            {
                var (entryName, bytes) = entries[index];
                entries[index] = kind switch
                {
                    0 => (name.Length > 0 ? name : "_", bytes), // renamed (a zip entry cannot be nameless)
                    1 => (entryName, []), // emptied
                    9 => (entryName + "/", bytes), // a folder-like name
                    _ => (entryName, mutate(bytes)),
                };
            }

            var manifest = entries.FindIndex(e => e.Name == "manifest.json");
            var signature = entries.FindIndex(e => e.Name == "manifest.sig");
            var resigned = t.Item2 && manifest >= 0 && signature >= 0;
            if (resigned)
            {
                entries[signature] = ("manifest.sig", PackageFixture.Sign(entries[manifest].Bytes, _fx.Key));
            }

            AssertVerdict(Craft(entries, t.Item3 ? CompressionLevel.NoCompression : CompressionLevel.Fastest), resigned);
        }, t => string.Join("; ", t.Item1.Select(e => $"entry {e.Item1} kind {e.Item4} name '{e.Item3}'")) + $"; re-signed {t.Item2}");
    }

    public void Dispose() => _fx.Dispose();

    private void AssertVerdict(string packagePath, bool resigned = false)
    {
        var staging = _fx.NewStaging();
        var result = ModelPackageVerifier.Verify(packagePath, _fx.Trust, new PackageLimits(), staging);
        File.Delete(packagePath);
        if (!result.IsAccepted)
        {
            Assert.Contains(result.Rejection!.Code, Codes);
            Assert.False(string.IsNullOrEmpty(result.Rejection.Detail));
            Assert.False(Directory.Exists(staging), "a refused package left its staging folder behind");
            return;
        }

        // Accepted: every file extracted is the one that was signed, and nothing else was extracted. When the fuzzer
        // re-signed, the manifest is the one it signed (a harmless edit, such as the notes, verifies). manifest.sig is
        // not itself signed: a re-signed one differs (ECDSA signatures are randomised), and an edit that still parses
        // to the same record (JSON whitespace, say) verifies. The payload is the original, byte for byte.
        var extracted = Directory.GetFiles(staging, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(staging, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(_entries.Select(e => e.Name).Order(StringComparer.Ordinal), extracted);
        foreach (var (name, bytes) in _entries.Where(e => e.Name != "manifest.sig" && !(resigned && e.Name == "manifest.json")))
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(staging, name)));
        }

        Directory.Delete(staging, recursive: true);
    }

    private string Craft(List<(string Name, byte[] Bytes)> entries, CompressionLevel level)
    {
        var path = _fx.NewPackagePath();
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = zip.CreateEntry(name, level).Open();
            stream.Write(bytes);
        }

        return path;
    }

    // A mutation of an entry's bytes, as a function: the entry it applies to is picked separately.
    private static Gen<Func<byte[], byte[]>> ByteMutationsOfEntries() =>
        Gen.Select(Gen.Int[0, 8], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 6]
            .Select(edits => (Func<byte[], byte[]>)(bytes => ByteMutations.Apply(bytes, edits, bytes)));

    private string Differences(byte[] bytes) =>
        string.Join(",", Enumerable.Range(0, Math.Min(bytes.Length, _package.Length)).Where(i => bytes[i] != _package[i]).Take(16))
        + (bytes.Length != _package.Length ? $" (length {_package.Length} → {bytes.Length})" : "");
}
