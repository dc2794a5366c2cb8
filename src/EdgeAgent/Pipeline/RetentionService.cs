using EdgeAgent.Ingest;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Host.Pipeline;

/// <summary>Runs <see cref="RetentionPolicy"/> every <see cref="RetentionOptions.Interval"/>; a failed pass is logged and retried next time.</summary>
public sealed class RetentionService(
    IOptions<RetentionOptions> options,
    IOptions<IngestOptions> ingest,
    VerdictLog log,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                var result = RetentionPolicy.Apply(log, options.Value, time.GetUtcNow());
                if (result.Archived + result.Forgotten + result.DeletedMonths.Count > 0)
                {
                    Log.RetentionPass(logger, result.Archived, result.Forgotten, string.Join(", ", result.DeletedMonths), result.BytesAfter);
                }

                if (result.OverBudget)
                {
                    Log.OverBudget(logger, result.BytesAfter, options.Value.MaxBytes);
                }

                if (options.Value.PruneMovedFiles)
                {
                    PruneMovedFiles(time.GetUtcNow().AddDays(-options.Value.Days));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or LiteDB.LiteException)
            {
                Log.RetentionFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void PruneMovedFiles(DateTimeOffset cutoff)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        foreach (var folder in ingest.Value.Folders.SelectMany(f => PairNaming.OwnFolders.Select(own => Path.Combine(f, own))).Where(Directory.Exists))
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", options).Where(f => f.LastWriteTimeUtc < cutoff.UtcDateTime))
            {
                file.Delete();
            }
        }
    }
}
