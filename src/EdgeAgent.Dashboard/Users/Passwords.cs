using Microsoft.AspNetCore.Identity;

namespace EdgeAgent.Dashboard.Users;

/// <summary>
/// Password rules and hashing: ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512,
/// 100,000 iterations, random salt, format version in the hash), kept by the framework rather than by us.
/// </summary>
public static class Passwords
{
    /// <summary>Shortest password accepted.</summary>
    public const int MinLength = 10;

    /// <summary>Longest password accepted (PBKDF2 hashes anything, but a megabyte "password" is a mistake or an attack).</summary>
    public const int MaxLength = 256;

    private static readonly PasswordHasher<UserAccount> Hasher = new();

    // Verified against for an unknown user name, so a wrong name costs the same time as a wrong password.
    private static readonly Lazy<string> DecoyHash = new(() => Hash("decoy password that is never anyone's " + Guid.NewGuid()));

    /// <summary>Null when acceptable, else why not.</summary>
    public static string? Problem(string? password) =>
        string.IsNullOrEmpty(password) ? "the password is empty"
        : password.Length < MinLength ? $"the password has {password.Length} characters; use at least {MinLength}"
        : password.Length > MaxLength ? $"the password has {password.Length} characters; at most {MaxLength}"
        : null;

    /// <summary>The hash to store.</summary>
    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    /// <summary>Whether <paramref name="password"/> matches <paramref name="hash"/> (null hash: the decoy, always false).</summary>
    public static bool Verify(string? hash, string password)
    {
        var result = Hasher.VerifyHashedPassword(null!, hash ?? DecoyHash.Value, password);
        return hash is not null && result != PasswordVerificationResult.Failed;
    }
}
