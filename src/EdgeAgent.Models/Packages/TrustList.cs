using System.Security.Cryptography;

namespace EdgeAgent.Models.Packages;

/// <summary>A trusted technician public key (P-256, SPKI).</summary>
/// <param name="KeyId">See <see cref="SigningKey.ComputeKeyId"/>.</param>
/// <param name="Source">Where it was loaded from, for logs.</param>
/// <param name="SubjectPublicKeyInfo">The key's DER.</param>
public sealed record TrustedKey(string KeyId, string Source, ReadOnlyMemory<byte> SubjectPublicKeyInfo)
{
    /// <summary>True when <paramref name="signature"/> (IEEE P1363) is this key's ECDSA-SHA256 signature over <paramref name="data"/>.</summary>
    public bool Verifies(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo.Span, out _);
        return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Parses one <c>PUBLIC KEY</c> PEM holding a P-256 key.</summary>
    /// <exception cref="CryptographicException">Not a P-256 SPKI public key PEM (a private key is refused too).</exception>
    public static TrustedKey FromPem(string pem, string source)
    {
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] is not "PUBLIC KEY")
        {
            throw new CryptographicException("not a PUBLIC KEY PEM");
        }

        var der = Convert.FromBase64String(pem[fields.Base64Data].ToString());
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(der, out int read);
        if (read != der.Length || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new CryptographicException("not a P-256 public key");
        }

        return new TrustedKey(SigningKey.ComputeKeyId(der), source, der);
    }
}

/// <summary>
/// The public keys a box accepts model packages from: every <c>*.pub</c> PEM of the configured folder
/// (<c>Models:TrustedKeysFolder</c>) and any explicitly named files. A key file that cannot be used is
/// reported in <see cref="Problems"/> and skipped, so one bad file never locks a box out of all updates.
/// </summary>
public sealed class TrustList
{
    private readonly Dictionary<string, TrustedKey> _keys = new(StringComparer.Ordinal);

    /// <summary>A trust list of the given keys.</summary>
    public TrustList(IEnumerable<TrustedKey> keys)
    {
        foreach (var key in keys)
        {
            _keys[key.KeyId] = key;
        }
    }

    /// <summary>Key files that were skipped, each with the reason.</summary>
    public IReadOnlyList<string> Problems { get; private init; } = [];

    /// <summary>The ids of the trusted keys.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Loads the <c>*.pub</c> files of <paramref name="folder"/> (when given) and the <paramref name="files"/>.</summary>
    public static TrustList Load(string? folder, IEnumerable<string>? files = null)
    {
        var problems = new List<string>();
        var paths = new List<string>(files ?? []);
        if (!string.IsNullOrWhiteSpace(folder))
        {
            if (Directory.Exists(folder))
            {
                paths.InsertRange(0, Directory.GetFiles(folder, "*.pub").Order(StringComparer.Ordinal));
            }
            else
            {
                problems.Add($"{folder}: trusted keys folder does not exist");
            }
        }

        var keys = new List<TrustedKey>();
        foreach (var path in paths)
        {
            try
            {
                keys.Add(TrustedKey.FromPem(File.ReadAllText(path), path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or FormatException or ArgumentException)
            {
                problems.Add($"{path}: {ex.Message}");
            }
        }

        return new TrustList(keys) { Problems = problems };
    }

    /// <summary>The trusted key with this id, or null.</summary>
    public TrustedKey? Find(string keyId) => _keys.GetValueOrDefault(keyId);
}
