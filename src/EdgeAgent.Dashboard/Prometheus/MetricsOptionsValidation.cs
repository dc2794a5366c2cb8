using EdgeAgent.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Dashboard.Prometheus;

/// <summary>Checks <see cref="MetricsOptions"/> at start: a token file that exists, is kept private and holds a long enough token.</summary>
public sealed class MetricsOptionsValidation : IValidateOptions<MetricsOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var file = options.TokenFile;
        if (string.IsNullOrEmpty(file))
        {
            return ValidateOptionsResult.Success;
        }

        if (SecretFile.Problem("Metrics:TokenFile", file, group: "prometheus") is { } problem)
        {
            return ValidateOptionsResult.Fail(problem);
        }

        string token;
        try
        {
            token = options.ResolveToken() ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"Metrics:TokenFile {file} cannot be read: {e.Message}");
        }

        return token.Length < DashboardOptionsValidation.MinTokenLength
            ? ValidateOptionsResult.Fail($"the metrics token has {token.Length} characters; use at least {DashboardOptionsValidation.MinTokenLength} (e.g. openssl rand -hex 16)")
            : ValidateOptionsResult.Success;
    }
}
