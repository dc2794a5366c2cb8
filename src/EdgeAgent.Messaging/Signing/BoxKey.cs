using System.Security.Cryptography;
using System.Text;
using EdgeAgent.Hosting;
using NSec.Cryptography;

namespace EdgeAgent.Messaging.Signing;

/// <summary>
/// The box's own Ed25519 key, which signs what it publishes (issue 17, hole 4). Made at the first start in the data
/// directory (PKCS#8 PEM, mode 0600) and loaded at every start after; never replaced by the agent, since consumers pin
/// its public key. Keep it in the box's backups: a lost key means consumers must be told a new one.
/// </summary>
public sealed class BoxKey : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private BoxKey(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = Security.KeyId.Of(key.PublicKey.Export(KeyBlobFormat.PkixPublicKey));
    }

    /// <summary>The raw 32-byte Ed25519 public key (RFC 8032), what consumers verify with.</summary>
    public byte[] PublicKey { get; }

    /// <summary><see cref="PublicKey"/> in base64, as the state topic and <c>edgeagent keys show</c> print it.</summary>
    public string PublicKeyBase64 => Convert.ToBase64String(PublicKey);

    /// <summary>The public key as an SPKI PEM (<c>-----BEGIN PUBLIC KEY-----</c>), for tools that read PEM.</summary>
    public string PublicKeyPem => Encoding.ASCII.GetString(_key.PublicKey.Export(KeyBlobFormat.PkixPublicKeyText));

    /// <summary>
    /// Lowercase hex of the first 8 bytes of SHA-256 over the public key's SubjectPublicKeyInfo DER: the technician
    /// keys' style (<see cref="Security.KeyId.Of"/>), so any key the project uses is named the same way.
    /// </summary>
    public string KeyId { get; }

    /// <summary>
    /// Loads the key at <paramref name="path"/>, or makes one there when no file exists. The new file is written to a
    /// temporary name (0600 from its creation), forced to disk and then linked into place without replacing anything,
    /// so a power cut leaves either no key or a whole one, and two processes racing end up with the same key.
    /// </summary>
    /// <param name="path">The key file.</param>
    /// <param name="created">True when this call made the key.</param>
    /// <exception cref="InvalidDataException">The file exists but holds no Ed25519 private key (never silently replaced).</exception>
    public static BoxKey LoadOrCreate(string path, out bool created)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        created = false;
        if (File.Exists(path))
        {
            return Load(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        using var key = Key.Create(Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(key.Export(KeyBlobFormat.PkixPrivateKeyText));
                stream.Flush(flushToDisk: true);
            }

            // File.Move without overwrite: never replaces a key another process put there meanwhile.
            File.Move(temporary, path, overwrite: false);
            // The name too: a power cut must not take the key consumers were just given (and make a new one at the next start).
            DirectorySync.SyncParentOf(path);
            created = true;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Lost the race: the other key is the box's key.
        }
        finally
        {
            File.Delete(temporary);
        }

        return Load(path);
    }

    /// <summary>Loads the key at <paramref name="path"/> and makes sure only its owner can read it.</summary>
    /// <exception cref="FileNotFoundException">No key file.</exception>
    /// <exception cref="InvalidDataException">The file holds no Ed25519 private key.</exception>
    public static BoxKey Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var blob = File.ReadAllBytes(path);
        byte[] text = [];
        try
        {
            // NSec reads exactly its own PEM; a file edited on Windows or without its final newline is still the same key.
            text = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(blob).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n");
            if (!Key.TryImport(Ed25519, text, KeyBlobFormat.PkixPrivateKeyText, out var key))
            {
                throw new InvalidDataException(
                    $"the box signing key {path} is not an Ed25519 private key (PKCS#8 PEM): restore it from the box's backup, or delete it to make a new one (consumers must then be given the new public key)");
            }

            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(path, OwnerOnly);
            }

            return new BoxKey(key!);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blob);
            CryptographicOperations.ZeroMemory(text);
        }
    }

    /// <summary>The key id of a raw 32-byte Ed25519 public key (see <see cref="KeyId"/>).</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> rawPublicKey)
    {
        var publicKey = NSec.Cryptography.PublicKey.Import(Ed25519, rawPublicKey, KeyBlobFormat.RawPublicKey);
        return Security.KeyId.Of(publicKey.Export(KeyBlobFormat.PkixPublicKey));
    }

    /// <summary>
    /// A consumer's check of one message against this (pinned) key: <paramref name="keyId"/> names it and
    /// <paramref name="signature"/> (base64) is its Ed25519 signature over exactly <paramref name="payload"/>.
    /// </summary>
    public bool Verifies(ReadOnlySpan<byte> payload, string? keyId, string? signature)
    {
        Span<byte> bytes = stackalloc byte[64];
        return keyId == KeyId && signature is not null && Convert.TryFromBase64String(signature, bytes, out var length) && length == 64
            && Ed25519.Verify(_key.PublicKey, payload, bytes);
    }

    /// <summary>The Ed25519 signature (64 bytes) of <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => Ed25519.Sign(_key, data);

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
