using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline.Drift;

/// <summary>Drift log events, ids 5100–5149.</summary>
internal static partial class Log
{
    [LoggerMessage(5100, LogLevel.Warning, "Product {Product} drifts: {Series} EWMA {Value} beyond its limit {Limit} (reference {Reference}, {Pairs} pairs since the calibration window); verdicts are unchanged, someone should look")]
    public static partial void Drifting(ILogger logger, string product, string series, double value, double limit, double reference, long pairs);

    [LoggerMessage(5101, LogLevel.Information, "Product {Product} is judged by {Model} now (was {Previous}): its drift reference is learned again from the next pairs")]
    public static partial void Relearning(ILogger logger, string product, string model, string previous);

    [LoggerMessage(5102, LogLevel.Warning, "{Count} drift event(s) and charts could not be stored; tried again with the next batch")]
    public static partial void StoreFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(5103, LogLevel.Information, "Drift watch resumed for {Products} product(s) from the journal, {Alarms} series beyond their limits")]
    public static partial void Resumed(ILogger logger, int products, int alarms);
}
