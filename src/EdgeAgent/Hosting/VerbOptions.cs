using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Host.Hosting;

/// <summary>
/// The service's options for a verb that runs beside it (logs, models, bench): bound from the same configuration
/// sources through the service's own registrations, and validated by the same rules when a section is read, so a
/// verb never works on a value the service would refuse.
/// </summary>
internal sealed class VerbOptions : IDisposable
{
    private readonly ServiceProvider _services;

    private VerbOptions(ServiceProvider services) => _services = services;

    /// <summary>
    /// Reads the configuration the service would read, with <paramref name="overrides"/> on top; <paramref name="more"/>
    /// registers sections the judging services do not (e.g. the dashboard's).
    /// </summary>
    public static VerbOptions Read(string? configFile, IDictionary<string, string?>? overrides = null, bool serviceDefaults = false, Action<IServiceCollection>? more = null)
    {
        var builder = new ConfigurationBuilder();
        if (serviceDefaults)
        {
            builder.AddServiceDefaults();
        }

        var configuration = builder.AddAgentConfiguration(configFile, overrides ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        AgentHost.AddAgentServices(services, configuration);
        more?.Invoke(services);
        return new VerbOptions(services.BuildServiceProvider());
    }

    /// <summary>One section, validated; an invalid one throws <see cref="OptionsValidationException"/> (exit 78).</summary>
    public T Get<T>()
        where T : class => _services.GetRequiredService<IOptions<T>>().Value;

    public void Dispose() => _services.Dispose();
}
