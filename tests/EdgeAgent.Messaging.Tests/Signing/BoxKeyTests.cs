using System.Security.Cryptography;
using System.Text;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Testing;
using NSec.Cryptography;

namespace EdgeAgent.Messaging.Tests.Signing;

/// <summary>The box key file (issue 17, hole 4): made once, owner-only, reused, never silently replaced.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BoxKeyTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private string KeyFile => Path.Combine(_temp.Path, "data", "box-signing.key");

    [Fact]
    public void LoadOrCreate_NoFile_MakesAnOwnerOnlyPkcs8KeyAndNoTemporaryFileIsLeft()
    {
        using var key = BoxKey.LoadOrCreate(KeyFile, out var created);

        Assert.True(created);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(KeyFile), StringComparison.Ordinal);
        Assert.Equal([KeyFile], Directory.GetFiles(Path.GetDirectoryName(KeyFile)!));
        Assert.Equal(32, key.PublicKey.Length);
    }

    [Fact]
    public void LoadOrCreate_ExistingFile_SameKeyAndTheFileIsNotRewritten()
    {
        string keyId;
        using (var first = BoxKey.LoadOrCreate(KeyFile, out _))
        {
            keyId = first.KeyId;
        }

        var bytes = File.ReadAllBytes(KeyFile);
        var written = File.GetLastWriteTimeUtc(KeyFile);
        using var second = BoxKey.LoadOrCreate(KeyFile, out var created);

        Assert.False(created);
        Assert.Equal(keyId, second.KeyId);
        Assert.Equal(bytes, File.ReadAllBytes(KeyFile));
        Assert.Equal(written, File.GetLastWriteTimeUtc(KeyFile));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n")]
    public void LoadOrCreate_CorruptFile_ThrowsNamingTheFileAndLeavesItAsItWas(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, content);

        var e = Assert.Throws<InvalidDataException>(() => BoxKey.LoadOrCreate(KeyFile, out _));

        Assert.Contains(KeyFile, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(content, File.ReadAllText(KeyFile));
    }

    [Fact]
    public void Load_KeyMadeGroupReadable_IsOwnerOnlyAgain()
    {
        BoxKey.LoadOrCreate(KeyFile, out _).Dispose();
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        BoxKey.Load(KeyFile).Dispose();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    [Fact]
    public void KeyId_IsTheTechnicianKeysStyle_Sha256OverTheSubjectPublicKeyInfo()
    {
        using var key = BoxKey.LoadOrCreate(KeyFile, out _);

        var spki = Convert.FromBase64String(string.Concat(key.PublicKeyPem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(spki))[..16], key.KeyId);
        Assert.Equal(key.PublicKey, spki[^32..]);
        Assert.Equal(key.KeyId, BoxKey.KeyIdOf(key.PublicKey));
    }

    [Fact]
    public void Sign_Payload_VerifiesWithThePublicKeyAndNotForOtherBytes()
    {
        using var key = BoxKey.LoadOrCreate(KeyFile, out _);
        var payload = Encoding.UTF8.GetBytes("""{"id":"01KAS3V3Q4Z9X8B1T2M5N6P7R8","verdict":"NG"}""");

        var signature = key.Sign(payload);

        var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, key.PublicKey, KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(publicKey, payload, signature));
        payload[^3] = (byte)'O';
        Assert.False(SignatureAlgorithm.Ed25519.Verify(publicKey, payload, signature));
    }

    public void Dispose() => _temp.Dispose();
}
