using Microsoft.Extensions.Logging;

namespace EdgeAgent.Inference.Session;

/// <summary>Inference log events, ids 3000–3099.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Model {Name} {Version} runs on {Provider} ({Why})")]
    public static partial void ProviderSelected(ILogger logger, string name, string version, string provider, string why);
}
