using EdgeAgent.Dashboard;
using EdgeAgent.Messaging.Connection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Host.Hosting;

/// <summary>
/// Refuses to start (exit 78, one line each) with a secret written inline in a configuration file that every user of
/// the box can read: <c>Mqtt:Password</c> or <c>Dashboard:Token</c>. The <c>*File</c> settings (checked the same way)
/// or an <c>EDGEAGENT_</c> variable of the unit keep them from other users; so does chmod o-r on the file.
/// </summary>
internal sealed class InlineSecretsValidation(IConfiguration configuration) : IValidateOptions<MqttOptions>, IValidateOptions<DashboardOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, MqttOptions options) => Check("Mqtt:Password", "Mqtt:PasswordFile");

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, DashboardOptions options) => Check("Dashboard:Token", "Dashboard:TokenFile");

    private ValidateOptionsResult Check(string key, string fileKey)
    {
        if (OperatingSystem.IsWindows() || configuration is not IConfigurationRoot root)
        {
            return ValidateOptionsResult.Success;
        }

        var problems = new List<string>();
        foreach (var provider in root.Providers.OfType<JsonConfigurationProvider>())
        {
            if (provider.TryGet(key, out var secret) && !string.IsNullOrEmpty(secret)
                && provider.Source.FileProvider?.GetFileInfo(provider.Source.Path ?? "").PhysicalPath is { } file && File.Exists(file)
                && (File.GetUnixFileMode(file) & UnixFileMode.OtherRead) != 0)
            {
                problems.Add($"{key} is written inline in {file}, which every user can read: move it to {fileKey} (mode 0640) or chmod o-r {file}");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
