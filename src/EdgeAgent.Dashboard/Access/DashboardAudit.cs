using EdgeAgent.Dashboard.Users;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// Access events in the journal's audit trail (the same collection as model and threshold changes, so
/// <c>logs --audit</c> shows them): logins, failed logins, lockouts, logouts, refused anti-forgery tokens, refused decisions. Never a
/// password; user names through <see cref="UserNames.ForLog"/>. A journal that cannot take the row is logged and the
/// request goes on being answered as it would have been.
/// </summary>
public sealed class DashboardAudit(VerdictLog log, TimeProvider time, ILogger logger)
{
    /// <summary>Records <paramref name="action"/> by <paramref name="actor"/>, about <paramref name="product"/> when it concerns one.</summary>
    public void Record(string action, string? actor, string detail, string? product = null)
    {
        var who = UserNames.ForLog(actor);
        try
        {
            log.RecordAudit(new AuditEntry(time.GetUtcNow(), action, who, null, null, null, detail, product));
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or LiteDB.LiteException)
        {
            Log.AuditFailed(logger, action, who, e.Message);
        }
    }
}
