using System.Text.Json.Serialization;

namespace EdgeAgent.Dashboard.Users;

/// <summary>
/// One local account in <c>users.json</c>. Holds no secret in the clear: the password as ASP.NET Core Identity's
/// PBKDF2 hash, the personal API token as its SHA-256.
/// </summary>
/// <param name="Name">The user name (see <see cref="UserNames"/>); compared case-insensitively.</param>
/// <param name="Role">operator, supervisor or technician.</param>
/// <param name="PasswordHash">The <c>PasswordHasher</c> hash (format marker, salt, iterations inside).</param>
/// <param name="Stamp">Random, renewed by every password change: a session cookie carries it, so a changed password or a removed user ends the sessions.</param>
/// <param name="TokenSha256">Hex SHA-256 of the personal API token, when one was issued.</param>
/// <param name="CreatedAt">When the account was added.</param>
/// <param name="ChangedAt">When the password or token last changed.</param>
public sealed record UserAccount(string Name, string Role, string PasswordHash, string Stamp, string? TokenSha256, DateTimeOffset CreatedAt, DateTimeOffset ChangedAt);

/// <summary>The whole <c>users.json</c>.</summary>
/// <param name="Version">Format version, 1.</param>
/// <param name="Users">The accounts, in the order they were added.</param>
public sealed record UsersDocument(int Version, IReadOnlyList<UserAccount> Users);

/// <summary>Source-generated JSON for <c>users.json</c> (camelCase, indented: a person may read it).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(UsersDocument))]
public sealed partial class UsersJsonContext : JsonSerializerContext;
