using System.Security.Cryptography;
using EdgeAgent.Messaging.Models;

namespace EdgeAgent.Models.Packages;

/// <summary>
/// A technician's ECDSA P-256 signing key. The private half stays on the lab machine (PKCS#8 PEM, mode 0600);
/// the public half (SPKI PEM, <c>*.pub</c>) goes into the boxes' trusted keys folder. It signs packages and the
/// model commands that need a technician's authority (rollback, downgrade; see <see cref="SignedCommand"/>).
/// </summary>
public sealed class SigningKey : ICommandSigner, IDisposable
{
    private readonly ECDsa _key;

    private SigningKey(ECDsa key)
    {
        _key = key;
        SubjectPublicKeyInfo = key.ExportSubjectPublicKeyInfo();
        KeyId = ComputeKeyId(SubjectPublicKeyInfo);
    }

    /// <summary>Lowercase hex of the first 8 bytes of SHA-256 over <see cref="SubjectPublicKeyInfo"/>.</summary>
    public string KeyId { get; }

    /// <summary>DER of the public key, the bytes the key id is computed from.</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    /// <summary>The public key as an SPKI PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public string PublicKeyPem => PemEncoding.WriteString("PUBLIC KEY", SubjectPublicKeyInfo);

    /// <summary>A fresh P-256 key.</summary>
    public static SigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a private key PEM written by <see cref="Save"/> (PKCS#8, P-256 only).</summary>
    /// <exception cref="CryptographicException">The file holds no P-256 private key.</exception>
    public static SigningKey Load(string privateKeyPath)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(privateKeyPath));
            var parameters = key.ExportParameters(includePrivateParameters: true);
            if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new CryptographicException($"{privateKeyPath} is not a P-256 key");
            }

            CryptographicOperations.ZeroMemory(parameters.D);
            return new SigningKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the private key (PKCS#8 PEM) and the public key (SPKI PEM). The private file is created with mode
    /// 0600 so it is never readable by others, not even for a moment; an existing private key is never overwritten.
    /// </summary>
    /// <exception cref="IOException"><paramref name="privateKeyPath"/> already exists.</exception>
    public void Save(string privateKeyPath, string publicKeyPath)
    {
        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ownerOnly;
        }

        using (var writer = new StreamWriter(privateKeyPath, System.Text.Encoding.ASCII, options))
        {
            writer.Write(_key.ExportPkcs8PrivateKeyPem());
        }

        if (!OperatingSystem.IsWindows())
        {
            // The umask can only remove bits from UnixCreateMode; set it again to state the intent outright.
            File.SetUnixFileMode(privateKeyPath, ownerOnly);
        }

        File.WriteAllText(publicKeyPath, PublicKeyPem);
    }

    /// <summary>Signs <paramref name="data"/>: ECDSA P-256 over SHA-256, IEEE P1363 (r‖s) format.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) =>
        _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The key id of a SubjectPublicKeyInfo DER (<see cref="Security.KeyId.Of"/>).</summary>
    public static string ComputeKeyId(ReadOnlySpan<byte> subjectPublicKeyInfo) => Security.KeyId.Of(subjectPublicKeyInfo);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
