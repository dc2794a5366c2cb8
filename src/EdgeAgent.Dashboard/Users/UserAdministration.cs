using System.Security.Cryptography;
using EdgeAgent.Dashboard.Access;

namespace EdgeAgent.Dashboard.Users;

/// <summary>
/// What <c>edgeagent users</c> does to <see cref="UsersFile"/>. Bad input throws <see cref="ArgumentException"/>
/// with a message for the person at the terminal; nothing is written then.
/// </summary>
public sealed class UserAdministration(UsersFile file, TimeProvider time)
{
    /// <summary>The accounts, in the order they were added.</summary>
    public IReadOnlyList<UserAccount> List() => file.Read();

    /// <summary>Adds <paramref name="name"/> with <paramref name="role"/> and <paramref name="password"/>.</summary>
    public void Add(string name, string role, string password)
    {
        CheckName(name);
        if (!DashboardRoles.TryParseAccountRole(role, out var parsed))
        {
            throw new ArgumentException($"unknown role '{UserNames.ForLog(role)}': use operator, supervisor or technician");
        }

        CheckPassword(password);
        var hash = Passwords.Hash(password);
        var now = time.GetUtcNow();
        file.Change(users => Find(users, name) is not null
            ? throw new ArgumentException($"user '{name}' already exists (use 'users passwd' to change the password)")
            : [.. users, new UserAccount(name, parsed.Name(), hash, NewStamp(), null, now, now)]);
    }

    /// <summary>Removes <paramref name="name"/>; its sessions and token stop working at their next request.</summary>
    public void Remove(string name) =>
        file.Change(users => Find(users, name) is { } found ? [.. users.Where(u => u != found)] : throw Unknown(name));

    /// <summary>Sets a new password; the user's open sessions end (new stamp).</summary>
    public void ChangePassword(string name, string password)
    {
        CheckPassword(password);
        var hash = Passwords.Hash(password);
        Replace(name, u => u with { PasswordHash = hash, Stamp = NewStamp(), ChangedAt = time.GetUtcNow() });
    }

    /// <summary>Issues a new personal API token (the previous one stops working) and returns it; only its hash is kept.</summary>
    public string IssueToken(string name)
    {
        var token = PersonalTokens.Create();
        Replace(name, u => u with { TokenSha256 = PersonalTokens.Hash(token), ChangedAt = time.GetUtcNow() });
        return token;
    }

    private void Replace(string name, Func<UserAccount, UserAccount> change) =>
        file.Change(users => Find(users, name) is { } found ? [.. users.Select(u => u == found ? change(u) : u)] : throw Unknown(name));

    private static UserAccount? Find(IReadOnlyList<UserAccount> users, string name) =>
        users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase));

    private static ArgumentException Unknown(string name) => new($"no user '{UserNames.ForLog(name)}'");

    private static void CheckName(string name)
    {
        if (UserNames.Problem(name) is { } problem)
        {
            throw new ArgumentException(problem);
        }
    }

    private static void CheckPassword(string password)
    {
        if (Passwords.Problem(password) is { } problem)
        {
            throw new ArgumentException(problem);
        }
    }

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
