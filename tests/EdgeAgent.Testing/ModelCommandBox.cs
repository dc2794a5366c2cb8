using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Messaging.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Testing;

/// <summary>
/// The box's side of the model protocol, as the agent composes it: its MQTT connection and the model command
/// listener on one incoming folder, handing complete packages and rollbacks to <c>handler</c>.
/// </summary>
public sealed class ModelCommandBox : IAsyncDisposable
{
    private readonly MqttConnection _connection;
    private readonly ModelCommandListener _listener;
    private readonly BoxSigner _signer;
    private readonly TempFolder _keyFolder;

    private ModelCommandBox(MqttConnection connection, ModelCommandListener listener, BoxSigner signer, TempFolder keyFolder)
    {
        _connection = connection;
        _listener = listener;
        _signer = signer;
        _keyFolder = keyFolder;
    }

    /// <summary>The box's topic root (the sender's target).</summary>
    public string Root => _connection.Topics.Root;

    /// <summary>The topic root every box started here has: what a technician's signed commands name, known before the box starts.</summary>
    public static string TopicRoot => Topics.RootOf(BoxMqtt(0));

    /// <summary>
    /// Starts the box against the broker on <paramref name="port"/> and returns once it is connected and subscribed;
    /// <paramref name="maxPacketBytes"/> is the box's <see cref="MqttOptions.MaxPacketBytes"/> (default: the option's default);
    /// <paramref name="signedPush"/> tells the receiver which begins carry a trusted push signature (default: none do).
    /// </summary>
    public static async Task<ModelCommandBox> StartAsync(int port, string incoming, IModelCommandHandler handler, ModelTransferLimits? limits = null, int? maxPacketBytes = null,
        Func<TransferBegin, bool>? signedPush = null)
    {
        var mqtt = BoxMqtt(port);
        mqtt.MaxPacketBytes = maxPacketBytes ?? mqtt.MaxPacketBytes;
        var options = Options.Create(mqtt);
        // The box key in a folder of its own: tests look at what lands in the incoming folder and beside it.
        var keyFolder = new TempFolder("edgeagent-box-key-");
        var signer = new BoxSigner(Path.Combine(keyFolder.Path, "box-signing.key"));
        var connection = new MqttConnection(options, signer, TimeProvider.System, NullLogger<MqttConnection>.Instance);
        var receiver = new ModelTransferReceiver(incoming, limits ?? new ModelTransferLimits(), TimeProvider.System, NullLogger.Instance, signedPush);
        var listener = new ModelCommandListener(connection, receiver, handler, TimeProvider.System, NullLogger<ModelCommandListener>.Instance);
        // The listener registers its subscription first, so "connected" means subscribed.
        await listener.StartAsync(CancellationToken.None);
        await connection.StartAsync(CancellationToken.None);
        for (var deadline = DateTime.UtcNow.AddSeconds(10); !connection.IsConnected; await Task.Delay(20))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the box did not connect within 10 s");
            }
        }

        return new ModelCommandBox(connection, listener, signer, keyFolder);
    }

    private static MqttOptions BoxMqtt(int port) => new() { Host = "127.0.0.1", Port = port, Site = "t", Area = "a", Line = "l", Station = "push" };

    /// <summary>A technician's sender connected to the same broker, aimed at this box.</summary>
    public Task<ModelTransferSender> SenderAsync(int port) => ModelTransferSender.ConnectAsync(new MqttOptions { Host = "127.0.0.1", Port = port }, Root, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _listener.StopAsync(CancellationToken.None);
        await _connection.StopAsync(CancellationToken.None);
        _listener.Dispose();
        _connection.Dispose();
        _signer.Dispose();
        _keyFolder.Dispose();
    }
}
