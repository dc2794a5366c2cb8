using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Dashboard;

/// <summary>Adds the dashboard to the agent's host; the host binds and validates <see cref="DashboardOptions"/> and provides the <see cref="Status.IAgentStatus"/>.</summary>
public static class DashboardRegistration
{
    /// <summary>Registers the start-up check of the options and the server as a hosted service (register it last: it starts last).</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidation>();
        services.AddSingleton<DashboardServer>().AddHostedService(sp => sp.GetRequiredService<DashboardServer>());
        return services;
    }
}
