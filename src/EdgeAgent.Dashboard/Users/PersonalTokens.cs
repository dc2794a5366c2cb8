using System.Security.Cryptography;
using System.Text;

namespace EdgeAgent.Dashboard.Users;

/// <summary>
/// Personal API tokens: 256 random bits, shown once, stored as their SHA-256. A fast hash is right here, unlike
/// for passwords: a password is guessable, so it needs a slow, salted hash; a 256-bit random token cannot be
/// guessed or reversed from its SHA-256 at any speed, and it is checked on every request, where 100,000 PBKDF2
/// rounds (about 50 ms of the box's CPU) per API call would be taken from the pipeline.
/// </summary>
public static class PersonalTokens
{
    /// <summary>Prefix that makes a leaked token recognisable (secret scanners, logs).</summary>
    public const string Prefix = "eat_";

    /// <summary>A new token.</summary>
    public static string Create() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 bytes.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
