using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline.Journal;

/// <summary>Journal log events, ids 2002 (kept from the pipeline's 2000–2099 range).</summary>
internal static partial class Log
{
    [LoggerMessage(2002, LogLevel.Error, "Storing {Count} verdicts failed; retrying in {DelaySeconds} s")]
    public static partial void StoreFailed(ILogger logger, int count, double delaySeconds, Exception exception);
}
