using System.Globalization;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Log;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// Writes every change of a product's configured threshold (<c>Products:&lt;p&gt;:Threshold</c>, and <c>:ThresholdOk</c>
/// as <c>ok..ng</c> when the product has an uncertainty band, e.g. by
/// <c>edgeagent calibrate --write</c> or by hand) to the audit trail when the agent starts with it: the
/// previous value is the one the trail last recorded, so a supervisor sees when each line's threshold moved.
/// </summary>
public static class ThresholdAudit
{
    /// <summary>The audit action of a threshold change.</summary>
    public const string Action = AuditEntry.ThresholdChanged;

    // Threshold changes only, so no number of other rows (a flood of refused MQTT commands) pushes them out of view.
    private const int Lookback = 500;

    /// <summary>Records each product whose configured threshold differs from the last one recorded; returns how many.</summary>
    public static int RecordChanges(VerdictLog log, IReadOnlyDictionary<string, ProductSettings> products, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(products);
        var recorded = log.AuditTrail(Lookback, action: Action).Where(a => a.Product is not null)
            .GroupBy(a => a.Product!).ToDictionary(g => g.Key, g => g.First().Detail.Split(" -> ")[^1]); // newest first
        var changes = 0;
        foreach (var (product, settings) in products.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var now = settings.Threshold?.ToString("R", CultureInfo.InvariantCulture) ?? "model";
            if (settings.ThresholdOk is { } ok)
            {
                // A band reads "ok..ng", so moving either end is audited; one threshold reads as before.
                now = ok.ToString("R", CultureInfo.InvariantCulture) + ".." + now;
            }

            var before = recorded.GetValueOrDefault(product) ?? "model";
            if (now == before)
            {
                continue;
            }

            // "model" = no override, the model's own threshold applies.
            log.RecordAudit(new AuditEntry(time.GetUtcNow(), Action, "config", settings.Model, null, null, $"{before} -> {now}", product));
            changes++;
        }

        return changes;
    }
}
