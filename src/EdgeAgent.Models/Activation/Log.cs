using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Activation;

/// <summary>Model lifecycle log events, ids 6100–6149.</summary>
internal static partial class Log
{
    [LoggerMessage(6100, LogLevel.Warning, "Products route to model '{Name}' but the store has no version of it that loads; their pairs are judged REVIEW MODEL_UNAVAILABLE")]
    public static partial void RouteWithoutModel(ILogger logger, string name);

    [LoggerMessage(6101, LogLevel.Error, "Active model {Name} {Version} cannot be loaded ({Reason}); rolling back to the previous version")]
    public static partial void ActiveVersionFailed(ILogger logger, string name, string version, string reason);

    [LoggerMessage(6102, LogLevel.Error, "Model {Name} {Version} failed {Failures} pairs in a row; rolling back to the previous version")]
    public static partial void KeepsFailing(ILogger logger, string name, string version, int failures);

    [LoggerMessage(6103, LogLevel.Warning, "Model {Name} rolled back to version {Version}")]
    public static partial void RolledBack(ILogger logger, string name, string version);

    [LoggerMessage(6104, LogLevel.Error, "Model {Name} has no earlier version that loads; the current one stays")]
    public static partial void NothingToRollBackTo(ILogger logger, string name);

    [LoggerMessage(6105, LogLevel.Warning, "Model {Name} {Version} activated (signed by {KeyId}); {Canary}")]
    public static partial void Activated(ILogger logger, string name, string version, string keyId, string canary);

    [LoggerMessage(6106, LogLevel.Warning, "Model package {Name} {Version} rejected: {Reason} {Detail}; the model in service stays")]
    public static partial void Rejected(ILogger logger, string name, string version, string reason, string detail);

    [LoggerMessage(6107, LogLevel.Warning, "Trusted model keys: {Problem}")]
    public static partial void TrustProblem(ILogger logger, string problem);

    [LoggerMessage(6108, LogLevel.Information, "{Count} trusted model signing key(s): {KeyIds}; pushes signed by other keys are rejected")]
    public static partial void TrustedKeys(ILogger logger, int count, string keyIds);

    [LoggerMessage(6109, LogLevel.Warning, "Product {Product}: {What} refused, {Reason}: {Detail}")]
    public static partial void RouteRefused(ILogger logger, string product, string what, string reason, string detail);

    [LoggerMessage(6110, LogLevel.Information, "Product {Product}: shadow {Name} {Version} judges beside the models in service")]
    public static partial void ShadowInService(ILogger logger, string product, string name, string version);
}
