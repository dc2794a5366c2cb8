using System.Security.Cryptography;
using EdgeAgent.Models.Packages;

namespace EdgeAgent.Models.Tests.Packages;

public sealed class SigningKeyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edgeagent-keys-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Save_NewKey_PrivateFileIsOwnerOnlyAndBothLoadBack()
    {
        using var key = SigningKey.Generate();
        var privatePath = Path.Combine(_root, "tech.key");
        var publicPath = Path.Combine(_root, "tech.pub");

        key.Save(privatePath, publicPath);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privatePath));
        }

        Assert.Contains("BEGIN PRIVATE KEY", File.ReadAllText(privatePath), StringComparison.Ordinal);
        using var loaded = SigningKey.Load(privatePath);
        Assert.Equal(key.KeyId, loaded.KeyId);
        Assert.Equal(key.KeyId, TrustedKey.FromPem(File.ReadAllText(publicPath), publicPath).KeyId);
    }

    [Fact]
    public void Save_PrivateKeyFileExists_RefusesToOverwrite()
    {
        using var first = SigningKey.Generate();
        using var second = SigningKey.Generate();
        var privatePath = Path.Combine(_root, "tech.key");
        first.Save(privatePath, Path.Combine(_root, "a.pub"));

        Assert.Throws<IOException>(() => second.Save(privatePath, Path.Combine(_root, "b.pub")));
        using var loaded = SigningKey.Load(privatePath);
        Assert.Equal(first.KeyId, loaded.KeyId);
    }

    [Fact]
    public void KeyId_IsFirstEightBytesOfSpkiSha256InLowercaseHex()
    {
        using var key = SigningKey.Generate();

        Assert.Matches("^[0-9a-f]{16}$", key.KeyId);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(key.SubjectPublicKeyInfo))[..16], key.KeyId);
    }

    [Fact]
    public void Sign_ThenVerifyWithTrustedKey_TrueOnlyForTheSignedBytes()
    {
        using var key = SigningKey.Generate();
        var trusted = TrustedKey.FromPem(key.PublicKeyPem, "mem");
        byte[] data = [1, 2, 3];

        var signature = key.Sign(data);

        Assert.Equal(64, signature.Length);
        Assert.True(trusted.Verifies(data, signature));
        Assert.False(trusted.Verifies([1, 2, 4], signature));
    }

    [Fact]
    public void Load_FolderWithGoodAndBadKeyFiles_KeepsGoodKeysAndReportsTheRest()
    {
        using var good = SigningKey.Generate();
        using var other = SigningKey.Generate();
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        good.Save(Path.Combine(_root, "good.key"), Path.Combine(_root, "good.pub"));
        File.WriteAllText(Path.Combine(_root, "garbage.pub"), "not a pem");
        File.WriteAllText(Path.Combine(_root, "private.pub"), good.PublicKeyPem.Replace("PUBLIC", "PRIVATE", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_root, "p384.pub"), p384.ExportSubjectPublicKeyInfoPem());
        var explicitFile = Path.Combine(_root, "elsewhere.pem");
        File.WriteAllText(explicitFile, other.PublicKeyPem);

        var trust = TrustList.Load(_root, [explicitFile]);

        Assert.Equal(2, trust.KeyIds.Count);
        Assert.NotNull(trust.Find(good.KeyId));
        Assert.NotNull(trust.Find(other.KeyId));
        Assert.Equal(3, trust.Problems.Count);
        Assert.All(["garbage.pub", "private.pub", "p384.pub"], name => Assert.Contains(trust.Problems, p => p.Contains(name, StringComparison.Ordinal)));
    }

    [Fact]
    public void Load_MissingFolder_ReportsProblemAndTrustsNothing()
    {
        var trust = TrustList.Load(Path.Combine(_root, "nope"));

        Assert.Empty(trust.KeyIds);
        Assert.Single(trust.Problems);
        Assert.Null(trust.Find("0000000000000000"));
    }
}
