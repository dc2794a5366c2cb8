using EdgeAgent.Storage.Log;

namespace EdgeAgent.Storage.Retention;

/// <summary>What one retention pass did.</summary>
public sealed record RetentionResult(int Archived, int Forgotten, IReadOnlyList<string> DeletedMonths, long BytesAfter, bool OverBudget, int AuditPruned);

/// <summary>
/// One retention pass: archive what is published and old enough, delete archive months past the age
/// limit, then the oldest months while over the size budget; prune the audit trail by age and row count. The journal's unpublished verdicts never
/// reach the archive, so nothing unpublished is ever pruned; the current month is never deleted.
/// </summary>
public static class RetentionPolicy
{
    /// <summary>
    /// Runs a pass at <paramref name="now"/>. Undecided REVIEW verdicts stay in the journal, where people can still decide
    /// them, until <paramref name="holdReviewFor"/> after they were judged (none: archived like the others).
    /// </summary>
    public static RetentionResult Apply(VerdictLog log, RetentionOptions options, DateTimeOffset now, TimeSpan? holdReviewFor = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            log.ReleaseHeld(now - (holdReviewFor ?? TimeSpan.Zero));
            return ApplyUnguarded(log, options, now);
        }
        catch (LiteDB.LiteException e)
        {
            throw new JournalUnavailableException($"Retention cannot archive or delete now: {e.Message}", e);
        }
    }

    private static RetentionResult ApplyUnguarded(VerdictLog log, RetentionOptions options, DateTimeOffset now)
    {
        int archived = 0, batch;
        while ((batch = log.ArchivePublished(now - options.ArchiveAfter)) > 0)
        {
            archived += batch;
        }

        var cutoff = now.AddDays(-options.Days);
        int forgotten = log.ForgetArchived(cutoff);
        int auditPruned = log.PruneAudit(cutoff, options.MaxAuditRows);
        var currentMonth = new DateOnly(now.UtcDateTime.Year, now.UtcDateTime.Month, 1);
        var deleted = new List<string>();
        foreach (var (month, path) in log.Archive.Months())
        {
            bool expired = month.AddMonths(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) <= cutoff.UtcDateTime;
            bool overBudget = log.Bytes() > options.MaxBytes;
            if (month < currentMonth && (expired || overBudget))
            {
                log.Archive.Delete(path);
                deleted.Add(Path.GetFileName(path));
            }
        }

        long bytes = log.Bytes();
        return new RetentionResult(archived, forgotten, deleted, bytes, bytes > options.MaxBytes, auditPruned);
    }
}
