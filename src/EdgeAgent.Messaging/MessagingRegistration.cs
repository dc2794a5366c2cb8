using EdgeAgent.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Messaging.Publish;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Messaging.Sparkplug;
using EdgeAgent.Publish;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging;

/// <summary>Registers the MQTT side: the supervised connection and the verdict publisher.</summary>
public static class MessagingRegistration
{
    /// <summary>
    /// <c>Mqtt</c> (with its secret-file checks) and <c>Models:Transfer</c> options, the station identity stamped on
    /// verdicts, and the connection and publisher as hosted services. Register before the pipeline: hosted
    /// services start in registration order, and the publisher must be up before the journal hands it verdicts.
    /// The <c>Sparkplug</c> edge node (idle unless <c>Sparkplug:Enabled</c>) reads the box through an
    /// <see cref="ISparkplugSource"/>, which the pipeline registers (AddPipeline).
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddStationIdentity().AddValidatedOptions<ModelTransferLimits>(ModelTransferLimits.Section)
            .AddValidatedOptions<SparkplugOptions>(SparkplugOptions.Section);
        services.AddSingleton<IValidateOptions<MqttOptions>, MqttSecurityValidation>();
        services.AddSingleton<IValidateOptions<SparkplugOptions>, SparkplugOptionsValidation>();
        services.AddSingleton<IValidateOptions<ModelTransferLimits>, PacketLimitValidation>();
        // The box key first: a corrupt key file stops the start before anything is published (exit 78).
        services.AddSingleton(sp => new BoxSigner(sp.GetRequiredService<IOptions<MqttOptions>>().Value.SigningKeyFile));
        services.AddHostedService<BoxKeyStartup>();
        services.AddSingleton<MqttConnection>().AddHostedService(sp => sp.GetRequiredService<MqttConnection>());
        services.AddSingleton<VerdictPublisher>().AddHostedService(sp => sp.GetRequiredService<VerdictPublisher>());
        services.AddSingleton<IOutboxNudge>(sp => sp.GetRequiredService<VerdictPublisher>());
        services.AddSingleton<SparkplugNode>().AddHostedService(sp => sp.GetRequiredService<SparkplugNode>());
        return services;
    }

    /// <summary>
    /// The <c>Mqtt</c> section and the <see cref="StationIdentity"/> it names, without a connection: what verbs that
    /// judge pairs offline stamp on their verdicts, exactly as the service does.
    /// </summary>
    public static IServiceCollection AddStationIdentity(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(StationIdentity)))
        {
            return services;
        }

        services.AddValidatedOptions<MqttOptions>(MqttOptions.Section);
        services.AddSingleton(sp => StationOf(sp.GetRequiredService<IOptions<MqttOptions>>().Value));
        return services;
    }

    /// <summary>The station identity stamped on verdicts: the broker topic's site, area, line and station.</summary>
    public static StationIdentity StationOf(MqttOptions mqtt)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        return new(mqtt.Site, mqtt.Area, mqtt.Line, mqtt.Station);
    }
}
