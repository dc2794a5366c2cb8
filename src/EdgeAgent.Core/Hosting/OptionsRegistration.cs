using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Hosting;

/// <summary>The one way every project registers an options section, so none escapes validation at start.</summary>
public static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to configuration section <paramref name="section"/>, checks its data
    /// annotations and validates it when the host starts: a bad value stops the start (exit 78), and
    /// <c>doctor</c> finds every such section through <see cref="Microsoft.Extensions.Options.IStartupValidator"/>.
    /// </summary>
    public static IServiceCollection AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
