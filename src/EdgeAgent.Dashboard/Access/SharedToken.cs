using System.Security.Cryptography;
using System.Text;

namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// The old shared token (<c>Dashboard:Token</c>/<c>TokenFile</c>), now read-only. Compared in constant time: both
/// sides are hashed to SHA-256 first, so neither the content nor the length of a wrong guess changes the time taken.
/// </summary>
public sealed class SharedToken(string? token)
{
    /// <summary>The cookie that carries the shared token after the first visit with <c>?token=…</c>.</summary>
    public const string CookieName = "edgeagent_dashboard";

    private readonly byte[]? _expected = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Whether a shared token is configured at all.</summary>
    public bool Configured => _expected is not null;

    /// <summary>Whether <paramref name="offered"/> is the token.</summary>
    public bool Matches(string? offered) =>
        offered is not null && _expected is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(offered)), _expected);
}
