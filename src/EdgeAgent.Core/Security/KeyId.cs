using System.Security.Cryptography;

namespace EdgeAgent.Security;

/// <summary>
/// How the project names a public key, any algorithm: lowercase hex of the first 8 bytes of SHA-256 over its
/// SubjectPublicKeyInfo DER. The technicians' ECDSA keys and the box's Ed25519 key are named alike, so an audit row,
/// a trusted keys folder and a consumer's pinned key all speak of one key the same way.
/// </summary>
public static class KeyId
{
    /// <summary>The key id of a SubjectPublicKeyInfo DER.</summary>
    public static string Of(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo).AsSpan(0, 8));
}
