using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Messaging.Connection;

/// <summary>Configuration section <c>Mqtt</c>: the broker and the box's place in the topic tree.</summary>
public sealed class MqttOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Mqtt";

    /// <summary>Broker host name or address.</summary>
    [Required]
    public string Host { get; set; } = "localhost";

    /// <summary>Broker TCP port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>Stable client id (a persistent session needs one); empty = <c>edgeagent-{site}-{line}-{station}</c>.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Optional user name.</summary>
    public string? Username { get; set; }

    /// <summary>Optional password; prefer <see cref="PasswordFile"/>, which keeps it out of the configuration.</summary>
    public string? Password { get; set; }

    /// <summary>File holding the password (first line); must not be world-readable.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Connect with TLS (the broker's port is then usually 8883).</summary>
    public bool Tls { get; set; }

    /// <summary>PEM file of the CA(s) that sign the broker's certificate; the only trusted roots when set, else the system's.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM certificate the box presents when the broker asks for one (with <see cref="ClientKeyFile"/>).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/>; must not be world-readable.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>
    /// Check the broker certificate's revocation online. Off by default: plant networks rarely reach a CRL or OCSP
    /// server, and .NET then rejects an unknown status (a private CA's trust is in <see cref="CaFile"/>).
    /// </summary>
    public bool CheckRevocation { get; set; }

    /// <summary>Root of the topic tree.</summary>
    [Required, RegularExpression(@"^[^#+\s]+$")]
    public string TopicPrefix { get; set; } = "aoi";

    /// <summary>Site in the unified namespace.</summary>
    [Required, RegularExpression(@"^[^/#+\s]+$")]
    public string Site { get; set; } = "site";

    /// <summary>Area in the unified namespace.</summary>
    [Required, RegularExpression(@"^[^/#+\s]+$")]
    public string Area { get; set; } = "area";

    /// <summary>Line in the unified namespace.</summary>
    [Required, RegularExpression(@"^[^/#+\s]+$")]
    public string Line { get; set; } = "line";

    /// <summary>Station (this AOI box) in the unified namespace.</summary>
    [Required, RegularExpression(@"^[^/#+\s]+$")]
    public string Station { get; set; } = "station";

    /// <summary>MQTT keep-alive; the supervisor also pings at this period.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one publish may wait for PUBACK (MQTTnet has no default timeout).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubles per failure up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Largest MQTT packet the box takes, in bytes, announced to the broker as the MQTT 5 Maximum Packet Size of
    /// CONNECT (§3.1.2.11.4): the broker then does not send the box a larger message (mosquitto drops it for this
    /// client), so a 200 MB command never reaches the box's memory. Must hold a model chunk
    /// (<c>Models:Transfer:MaxChunkBytes</c>) plus 1 KiB of topic and headers. Default 2 MiB.
    /// </summary>
    [Range(16 * 1024, 268_435_455)]
    public int MaxPacketBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>
    /// The box's Ed25519 key (PKCS#8 PEM, 0600), which signs every message it publishes; made at the first start when
    /// missing, never replaced. Empty = <c>box-signing.key</c> in <c>Storage:DataDirectory</c>.
    /// </summary>
    public string SigningKeyFile { get; set; } = "";

    /// <summary>The client id actually used.</summary>
    public string EffectiveClientId => string.IsNullOrWhiteSpace(ClientId) ? $"edgeagent-{Site}-{Line}-{Station}" : ClientId;
}
