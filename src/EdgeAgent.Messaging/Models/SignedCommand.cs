using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeAgent.Messaging.Models;

/// <summary>
/// A technician's signature on a model command (the <c>signature</c> member of a rollback, begin or end).
/// The box rebuilds the signed text (<see cref="SignedCommand.Canonical"/>) from its own topic root, the command
/// and the model it names, so a signature made for another box, action, model or version does not verify.
/// </summary>
/// <param name="KeyId">The signer's key id (first 8 bytes of SHA-256 over its SubjectPublicKeyInfo, lowercase hex).</param>
/// <param name="IssuedAt">When it was signed; the box refuses it outside its clock window (STALE).</param>
/// <param name="Nonce">16–64 characters <c>[A-Za-z0-9_-]</c>, random per command; the box accepts each once (REPLAYED).</param>
/// <param name="Value">Base64 of the ECDSA P-256/SHA-256 signature in IEEE P1363 form (r‖s, 64 bytes).</param>
public sealed record CommandSignature(string KeyId, DateTimeOffset IssuedAt, string Nonce, string Value);

/// <summary>Signs the canonical text of a command with a technician's key (the key file stays on the technician's machine).</summary>
public interface ICommandSigner
{
    /// <summary>The signing key's id, as the boxes' trust lists know it.</summary>
    string KeyId { get; }

    /// <summary>ECDSA P-256 over SHA-256 of <paramref name="data"/>, IEEE P1363 form.</summary>
    byte[] Sign(ReadOnlySpan<byte> data);
}

/// <summary>The signed-command envelope: its canonical text and how a technician's tool makes one.</summary>
public static class SignedCommand
{
    /// <summary>First line of the canonical text; a later format changes it, so old signatures never verify under new rules.</summary>
    public const string Format = "edgeagent-command/1";

    /// <summary>Action: put the model's previous version back (subject: the model name; no version).</summary>
    public const string Rollback = "rollback";

    /// <summary>Action: put a product's shadow model into service (subject: the product; no version).</summary>
    public const string Promote = "promote";

    /// <summary>Action: install a version at or below the highest one activated (subject: model name; version: the package's).</summary>
    public const string Downgrade = "downgrade";

    /// <summary>Action: a push's begin (subject: the package's SHA-256, lowercase hex; no version). Lets it displace unsigned transfers.</summary>
    public const string Push = "push";

    /// <summary>
    /// The signed bytes: UTF-8 of seven lines joined by <c>\n</c> (no trailing newline): <see cref="Format"/>, the box's topic
    /// root, the action, the subject, the version (empty when none), <paramref name="issuedAt"/> in Unix milliseconds
    /// (decimal), and the nonce.
    /// </summary>
    public static byte[] Canonical(string root, string action, string subject, string? version, DateTimeOffset issuedAt, string nonce) =>
        Encoding.UTF8.GetBytes(string.Join('\n',
            Format, root, action, subject, version ?? "", issuedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), nonce));

    /// <summary>Signs <paramref name="action"/> on <paramref name="subject"/> for the box at <paramref name="root"/>, now, with a fresh nonce.</summary>
    public static CommandSignature Sign(ICommandSigner signer, string root, string action, string subject, string? version, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(time);
        // Whole milliseconds: the canonical text carries milliseconds, and the JSON then carries exactly what was signed.
        var issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var value = signer.Sign(Canonical(root, action, subject, version, issuedAt, nonce));
        return new CommandSignature(signer.KeyId, issuedAt, nonce, Convert.ToBase64String(value));
    }
}
