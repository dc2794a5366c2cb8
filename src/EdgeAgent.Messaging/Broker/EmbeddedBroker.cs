using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;

namespace EdgeAgent.Messaging.Broker;

/// <summary>
/// An in-process MQTT broker on loopback for the demo and tests. It keeps sessions in memory only, so it
/// is not a plant broker.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;

    private EmbeddedBroker(MqttServer server, int port)
    {
        _server = server;
        Port = port;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Starts a broker on <paramref name="port"/>, or on a free port when it is 0.</summary>
    public static async Task<EmbeddedBroker> StartAsync(int port = 0)
    {
        port = port == 0 ? FreePort() : port;
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        await server.StartAsync().ConfigureAwait(false);
        return new EmbeddedBroker(server, port);
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync().ConfigureAwait(false);
        _server.Dispose();
    }
}
