using System.Text.RegularExpressions;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Packages;

namespace EdgeAgent.Models.Transfer;

/// <summary>The outcome of checking a signed command: the signer's key id, or a reason code and why.</summary>
public sealed record CommandCheck(string? KeyId, string? Reason, string Detail)
{
    /// <summary>True when the command may act.</summary>
    public bool Accepted => Reason is null;
}

/// <summary>
/// Decides whether a model command carries a technician's authority (<see cref="SignedCommand"/>). Checks run
/// cheapest and least trusting first, and a nonce is only recorded once the signature verified:
/// UNSIGNED → MALFORMED (nonce) → UNTRUSTED_KEY → BAD_SIGNATURE → STALE → REPLAYED.
/// The signed text is rebuilt from this box's topic root and the command as the box read it, so a signature made for
/// another box, action, model or version is a BAD_SIGNATURE. The clock window and the clock are the nonce store's, so
/// a nonce is kept exactly as long as its timestamp would pass.
/// </summary>
public sealed partial class CommandAuthenticator(TrustList trust, SeenNonces nonces, string topicRoot)
{
    /// <summary>
    /// Checks <paramref name="signature"/> for <paramref name="action"/> on <paramref name="subject"/> (and
    /// <paramref name="version"/>), and uses up its nonce when it passes. With <paramref name="useNonce"/> false the nonce
    /// is neither checked nor recorded (for a push's begin, which a sender repeats and which only asks for a slot).
    /// </summary>
    public CommandCheck Check(CommandSignature? signature, string action, string subject, string? version, bool useNonce = true)
    {
        if (signature is null)
        {
            return Refused(CommandReasons.Unsigned, $"{action} needs a signature by a trusted technician key (edgeagent models {action} --key)");
        }

        if (signature.Nonce is null || !NoncePattern().IsMatch(signature.Nonce) || signature.KeyId is null || signature.Value is null)
        {
            return Refused(CommandReasons.Malformed, "signature needs keyId, issuedAt, nonce ([A-Za-z0-9_-]{16,64}) and value (base64)");
        }

        var keyId = Security.ForeignText.Clip(signature.KeyId, 64);
        if (trust.Find(signature.KeyId) is not { } key)
        {
            return Refused(CommandReasons.UntrustedKey, $"key {keyId} is not in this box's trust list (Models:TrustedKeysFolder)");
        }

        var canonical = SignedCommand.Canonical(topicRoot, action, subject, version, signature.IssuedAt, signature.Nonce);
        byte[] value;
        try
        {
            value = Convert.FromBase64String(signature.Value);
        }
        catch (FormatException)
        {
            return Refused(CommandReasons.BadSignature, "signature value is not base64");
        }

        if (!key.Verifies(canonical, value))
        {
            // The text the box expected, so a technician's tool aimed at the wrong box or model shows at once.
            return Refused(CommandReasons.BadSignature,
                $"key {keyId} did not sign '{Security.ForeignText.Clip(System.Text.Encoding.UTF8.GetString(canonical).Replace('\n', '|'), 300)}' (box root, action, model and version as this box reads them)");
        }

        var (window, now) = (nonces.Window, nonces.Now);
        if (signature.IssuedAt < now - window || signature.IssuedAt > now + window)
        {
            return Refused(CommandReasons.Stale, $"issued {signature.IssuedAt:o}, box clock {now:o}: outside ±{window} (Models:CommandClockWindow)");
        }

        if (useNonce && !nonces.TryAdd(signature.Nonce, signature.IssuedAt))
        {
            return Refused(CommandReasons.Replayed, $"nonce {signature.Nonce} was already used: a recorded command sent again");
        }

        return new CommandCheck(key.KeyId, null, $"signed by key {key.KeyId} at {signature.IssuedAt:o}");
    }

    /// <summary>
    /// True when <paramref name="begin"/> is signed by a trusted key for action <c>push</c> over its SHA-256, inside the
    /// clock window. Its nonce is neither checked nor used up: a begin only asks for a transfer slot, and a sender
    /// repeats it on every resume.
    /// </summary>
    public bool IsSignedPush(TransferBegin begin)
    {
        ArgumentNullException.ThrowIfNull(begin);
        return Check(begin.Signature, SignedCommand.Push, begin.Sha256.ToLowerInvariant(), null, useNonce: false).Accepted;
    }

    private static CommandCheck Refused(string reason, string detail) => new(null, reason, detail);

    [GeneratedRegex("^[A-Za-z0-9_-]{16,64}$")]
    private static partial Regex NoncePattern();
}

/// <summary>Reason codes for refused signed commands and downgrades (the package's own codes are <see cref="RejectionCode"/>).</summary>
public static class CommandReasons
{
    /// <summary>The command carries no signature.</summary>
    public const string Unsigned = RejectionCode.Unsigned;

    /// <summary>The signature's fields are missing or malformed.</summary>
    public const string Malformed = RejectionCode.Malformed;

    /// <summary>The signing key is not in the box's trust list.</summary>
    public const string UntrustedKey = RejectionCode.UntrustedKey;

    /// <summary>The signature does not verify over the command as this box reads it.</summary>
    public const string BadSignature = RejectionCode.BadSignature;

    /// <summary>The command's timestamp is outside the box's clock window (<c>Models:CommandClockWindow</c>).</summary>
    public const string Stale = "STALE";

    /// <summary>The command's nonce was used before: a recorded command sent again.</summary>
    public const string Replayed = "REPLAYED";

    /// <summary>A pushed version at or below the highest one activated, without a valid signed downgrade intent.</summary>
    public const string Downgrade = "DOWNGRADE";
}
