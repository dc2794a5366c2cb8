namespace EdgeAgent.Messaging.Connection;

/// <summary>
/// The box's topic tree: <c>{prefix}/{site}/{area}/{line}/{station}/edgeagent/v1/{leaf}</c>.
/// The version segment lets a later payload schema live beside this one.
/// </summary>
public sealed class Topics(MqttOptions options)
{
    /// <summary>Common root of every topic the box uses.</summary>
    public string Root { get; } = $"{options.TopicPrefix}/{options.Site}/{options.Area}/{options.Line}/{options.Station}/edgeagent/v1";

    /// <summary>One message per judged pair, QoS 1, not retained.</summary>
    public string Verdict => $"{Root}/verdict";

    /// <summary>Events about the box's own judgement (schema <c>edgeagent.event/1</c>, type <c>drift</c>), QoS 1, not retained, through the outbox.</summary>
    public string Event => $"{Root}/event";

    /// <summary>Operators' decisions (schema <c>edgeagent.decision/1</c>), QoS 1, not retained, through the outbox.</summary>
    public string Decision => $"{Root}/decision";

    /// <summary>The periodic heartbeat (schema <c>edgeagent.metrics/1</c>), QoS 1, not retained.</summary>
    public string Metrics => $"{Root}/metrics";

    /// <summary>Shadow models' agreement with the models in service (schema <c>edgeagent.shadow/1</c>), QoS 1, retained.</summary>
    public string Shadow => $"{Root}/shadow";

    /// <summary>Retained <c>online</c>/<c>offline</c>; the broker publishes <c>offline</c> as the last will.</summary>
    public string State => $"{Root}/state";

    /// <summary>Model commands (<c>begin</c>, <c>chunk/{transferId}/{index}</c>, <c>end</c>, <c>rollback</c>) live under this.</summary>
    public string ModelCommands => $"{Root}/cmd/model";

    /// <summary>Progress and outcome of model commands (schema <c>edgeagent.model-status/1</c>), QoS 1, not retained.</summary>
    public string ModelStatus => $"{Root}/model/status";

    /// <summary>The topic root of a box with <paramref name="options"/>' identity.</summary>
    public static string RootOf(MqttOptions options) => new Topics(options).Root;
}
