using System.Text;
using MQTTnet;

namespace EdgeAgent.Messaging.Signing;

/// <summary>
/// Signs every message the box publishes, on its JSON connection and its Sparkplug node alike, with MQTT 5 user
/// properties beside the payload: <c>sig</c> = base64 of the Ed25519 signature over the payload bytes exactly as
/// published, <c>kid</c> = the key id. Nothing in the payload changes, so there is no canonical form to agree on: a
/// consumer verifies the bytes it received. The key is loaded once at start (<see cref="BoxKeyStartup"/>), or at the
/// first publish when a test builds a connection by hand.
/// </summary>
/// <param name="keyFile">The key file (<c>Mqtt:SigningKeyFile</c>, by default <c>box-signing.key</c> in the data directory).</param>
public sealed class BoxSigner(string keyFile) : IDisposable
{
    /// <summary>User property: base64 of the Ed25519 signature over the payload.</summary>
    public const string SignatureProperty = "sig";

    /// <summary>User property: the signing key's id (<see cref="BoxKey.KeyId"/>).</summary>
    public const string KeyIdProperty = "kid";

    /// <summary>User property of the retained <c>state</c> message only: the raw public key in base64.</summary>
    public const string PublicKeyProperty = "pubkey";

    private readonly Lock _gate = new();
    private BoxKey? _key;

    /// <summary>The key file this signer uses.</summary>
    public string KeyFile { get; } = keyFile;

    /// <summary>True when the first use of <see cref="Key"/> made a new key.</summary>
    public bool Created { get; private set; }

    /// <summary>The box key, loaded (or made) on first use.</summary>
    /// <exception cref="InvalidDataException">The key file is corrupt.</exception>
    public BoxKey Key
    {
        get
        {
            lock (_gate)
            {
                if (_key is null)
                {
                    _key = BoxKey.LoadOrCreate(KeyFile, out var created);
                    Created = created;
                }

                return _key;
            }
        }
    }

    /// <summary>Adds <c>sig</c> and <c>kid</c> for <paramref name="payload"/> to a message being built.</summary>
    public MqttApplicationMessageBuilder Sign(MqttApplicationMessageBuilder message, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(message);
        var key = Key;
        return message.WithUserProperty(SignatureProperty, Ascii(Convert.ToBase64String(key.Sign(payload))))
            .WithUserProperty(KeyIdProperty, Ascii(key.KeyId));
    }

    /// <summary>Adds <c>sig</c> and <c>kid</c> for the will <paramref name="payload"/>, and <c>pubkey</c> when it is the state topic's.</summary>
    public MqttClientOptionsBuilder SignWill(MqttClientOptionsBuilder options, ReadOnlySpan<byte> payload, bool withPublicKey)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = Key;
        options = options.WithWillUserProperty(SignatureProperty, Ascii(Convert.ToBase64String(key.Sign(payload))))
            .WithWillUserProperty(KeyIdProperty, Ascii(key.KeyId));
        return withPublicKey ? options.WithWillUserProperty(PublicKeyProperty, Ascii(key.PublicKeyBase64)) : options;
    }

    /// <inheritdoc/>
    public void Dispose() => _key?.Dispose();

    private static ReadOnlyMemory<byte> Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
