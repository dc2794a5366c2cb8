using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Messaging.Tests.Connection;

/// <summary>
/// The box's connection to a real mosquitto that only speaks TLS and demands a client certificate, with a
/// private CA generated here: connects with the plant CA and its own certificate, refuses a broker its CA
/// did not sign, is refused without a certificate; secret files readable by everyone stop the start.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MqttSecurityTests : IDisposable
{
    private readonly TempFolder _temp = new("edgeagent-tls-");
    private readonly Pki _plant;
    private readonly MosquittoBroker _broker;

    public MqttSecurityTests()
    {
        _plant = new Pki(_temp.Sub("plant"));
        _broker = new MosquittoBroker(_temp.Sub("broker"), $"cafile {_plant.Ca}", $"certfile {_plant.ServerCert}", $"keyfile {_plant.ServerKey}", "require_certificate true");
    }

    [Fact]
    public async Task Connect_PlantCaAndClientCertificate_ConnectsOverTls()
    {
        Assert.True(await ConnectsAsync(Options()));
    }

    [Fact]
    public async Task Connect_BrokerCertificateFromAnotherCa_NotConnected()
    {
        var stranger = new Pki(_temp.Sub("stranger"));

        Assert.False(await ConnectsAsync(Options(ca: stranger.Ca)));
    }

    [Fact]
    public async Task Connect_NoClientCertificate_RefusedByTheBroker()
    {
        Assert.False(await ConnectsAsync(Options(withClientCertificate: false)));
    }

    [Fact]
    public void Problems_KeyFileReadableByEveryone_ReportedForTheStart()
    {
        File.SetUnixFileMode(_plant.ClientKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var problems = MqttSecurity.Problems(Options().Value);

        Assert.Contains(problems, p => p.Contains("Mqtt:ClientKeyFile", StringComparison.Ordinal) && p.Contains("readable by every user", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _broker.Dispose();
        _temp.Dispose();
    }

    private MqttOptionsRecord Options(string? ca = null, bool withClientCertificate = true) => new(new MqttOptions
    {
        Host = "127.0.0.1",
        Port = _broker.Port,
        Station = "tls",
        Tls = true,
        CaFile = ca ?? _plant.Ca,
        ClientCertificateFile = withClientCertificate ? _plant.ClientCert : null,
        ClientKeyFile = withClientCertificate ? _plant.ClientKey : null,
        PublishTimeout = TimeSpan.FromSeconds(3),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(200),
    });

    private async Task<bool> ConnectsAsync(MqttOptionsRecord options)
    {
        using var signer = new BoxSigner(Path.Combine(_temp.Path, "box-signing.key"));
        using var connection = new MqttConnection(Microsoft.Extensions.Options.Options.Create(options.Value), signer, TimeProvider.System, NullLogger<MqttConnection>.Instance);
        await connection.StartAsync(CancellationToken.None);
        try
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(5); DateTime.UtcNow < deadline; await Task.Delay(50))
            {
                if (connection.IsConnected)
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            await connection.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The options under test (wrapped so the helper's name does not clash with <see cref="Microsoft.Extensions.Options.Options"/>).</summary>
    private sealed record MqttOptionsRecord(MqttOptions Value);

    /// <summary>A private CA with a broker certificate for 127.0.0.1 and a client certificate, as PEM files (keys 0600).</summary>
    private sealed class Pki
    {
        public Pki(string folder)
        {
            var now = DateTimeOffset.UtcNow;
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest("CN=EdgeAgent test plant CA", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
            Ca = Write(folder, "ca.pem", ca.ExportCertificatePem());
            (ServerCert, ServerKey) = Issue(folder, "server", ca, now, "1.3.6.1.5.5.7.3.1", 1);
            (ClientCert, ClientKey) = Issue(folder, "client", ca, now, "1.3.6.1.5.5.7.3.2", 2);
        }

        public string Ca { get; }

        public string ServerCert { get; }

        public string ServerKey { get; }

        public string ClientCert { get; }

        public string ClientKey { get; }

        private static (string Cert, string Key) Issue(string folder, string name, X509Certificate2 ca, DateTimeOffset now, string usage, byte serial)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
            using var certificate = request.Create(ca, now.AddDays(-1), now.AddDays(30), [serial]);
            var keyFile = Write(folder, name + ".key", key.ExportPkcs8PrivateKeyPem());
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return (Write(folder, name + ".pem", certificate.ExportCertificatePem()), keyFile);
        }

        private static string Write(string folder, string name, string pem)
        {
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, pem);
            return path;
        }
    }
}
