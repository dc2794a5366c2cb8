using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Dashboard.Users;

/// <summary>
/// The dashboard's view of <c>users.json</c>: reread when the file's time stamp or size changed (checked at every
/// login, session and token check, one stat call), so <c>edgeagent users</c> takes effect without a restart. A damaged
/// file keeps the last good list (logged once per change); a missing file means no accounts.
/// </summary>
public sealed class UserDirectory(UsersFile file, ILogger logger)
{
    private readonly Lock _gate = new();
    private (DateTime WrittenAt, long Length) _seen = (DateTime.MinValue, -1);
    private IReadOnlyList<UserAccount> _users = [];

    /// <summary>The account called <paramref name="name"/> (case-insensitive), or null.</summary>
    public UserAccount? Find(string name) =>
        Current().FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The account whose personal token is <paramref name="token"/>, or null; compared in constant time.</summary>
    public UserAccount? FindByToken(string token)
    {
        var offered = Encoding.ASCII.GetBytes(PersonalTokens.Hash(token));
        UserAccount? match = null;
        foreach (var user in Current())
        {
            // Every account is compared, whatever matched: the time taken says nothing about which.
            if (user.TokenSha256 is { } stored && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), offered))
            {
                match = user;
            }
        }

        return match;
    }

    private IReadOnlyList<UserAccount> Current()
    {
        var info = new FileInfo(file.Path);
        var seen = info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1L);
        lock (_gate)
        {
            if (seen == _seen)
            {
                return _users;
            }

            try
            {
                _users = file.Read();
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Log.UsersFileUnreadable(logger, file.Path, e.Message);
            }

            _seen = seen;
            return _users;
        }
    }
}
