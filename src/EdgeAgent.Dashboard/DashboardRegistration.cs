using EdgeAgent.Dashboard.Users;
using EdgeAgent.Dashboard.Prometheus;
using EdgeAgent.Hosting;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Dashboard;

/// <summary>Adds the dashboard to the agent's host; the host provides the <see cref="Status.IAgentStatus"/>.</summary>
public static class DashboardRegistration
{
    /// <summary>
    /// Binds and validates <c>Dashboard</c> and <c>Metrics</c> at start and registers the server as a hosted service
    /// (register it last: it starts last). The Prometheus export needs the pipeline's <see cref="Telemetry.AgentMetrics"/>.
    /// </summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddValidatedOptions<DashboardOptions>(DashboardOptions.Section);
        services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidation>();
        // users.json lives beside the journal unless placed elsewhere; the users verb reads the same setting.
        services.AddOptions<DashboardOptions>().PostConfigure<IOptions<VerdictLogOptions>>((dashboard, storage) =>
            dashboard.UsersFile = string.IsNullOrEmpty(dashboard.UsersFile) ? Path.Combine(storage.Value.DataDirectory, UsersFile.DefaultName) : dashboard.UsersFile);
        services.AddValidatedOptions<MetricsOptions>(MetricsOptions.Section);
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidation>();
        services.AddSingleton<PrometheusExport>();
        services.AddSingleton<DashboardServer>().AddHostedService(sp => sp.GetRequiredService<DashboardServer>());
        return services;
    }
}
