using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Hosting;
using Microsoft.Extensions.Options;
using MQTTnet;

namespace EdgeAgent.Messaging.Connection;

/// <summary>
/// Credentials and TLS for every MQTT client of the box (the agent's connection, <c>models push</c>,
/// <c>doctor</c>), all from <see cref="MqttOptions"/>: password from a file, the plant CA as the only trust
/// root, a client certificate, a deliberate revocation setting. Secret files must not be world-readable.
/// </summary>
public static class MqttSecurity
{
    /// <summary>
    /// What every long-lived connection of the agent asks of the broker (its JSON connection and the Sparkplug node):
    /// MQTT 5 to the configured broker as <paramref name="clientId"/>, keep-alive and timeout, the Maximum Packet Size
    /// (so a compliant broker never sends the box more than <see cref="MqttOptions.MaxPacketBytes"/>), credentials and TLS.
    /// The caller adds its will and session settings.
    /// </summary>
    public static MqttClientOptionsBuilder ForAgent(this MqttClientOptionsBuilder builder, MqttOptions options, string clientId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.WithTcpServer(options.Host, options.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithMaximumPacketSize((uint)options.MaxPacketBytes)
            .WithTimeout(options.PublishTimeout)
            .WithSecurity(options);
    }

    /// <summary>Adds the configured credentials and TLS settings to <paramref name="builder"/>.</summary>
    /// <exception cref="InvalidOperationException">A configured file cannot be read or holds no usable certificate/key.</exception>
    public static MqttClientOptionsBuilder WithSecurity(this MqttClientOptionsBuilder builder, MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var password = string.IsNullOrEmpty(options.PasswordFile) ? options.Password : SecretFile.FirstLine(options.PasswordFile);
        if (!string.IsNullOrEmpty(options.Username))
        {
            builder = builder.WithCredentials(options.Username, password);
        }

        if (!options.Tls)
        {
            return builder;
        }

        return builder.WithTlsOptions(tls =>
        {
            tls.UseTls().WithRevocationMode(options.CheckRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck);
            if (!string.IsNullOrEmpty(options.CaFile))
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(options.CaFile);
                tls.WithTrustChain(roots);
            }

            if (!string.IsNullOrEmpty(options.ClientCertificateFile))
            {
                tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(options.ClientCertificateFile, options.ClientKeyFile)]);
            }
        });
    }

    /// <summary>What is wrong with the security settings, for validation at start (empty when all is well).</summary>
    public static IReadOnlyList<string> Problems(MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        Secret(options.PasswordFile, "Mqtt:PasswordFile", problems);
        Secret(options.ClientKeyFile, "Mqtt:ClientKeyFile", problems);
        foreach (var (file, key) in new[] { (options.CaFile, "Mqtt:CaFile"), (options.ClientCertificateFile, "Mqtt:ClientCertificateFile") })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
            {
                problems.Add($"{key} {file} does not exist");
            }
        }

        if (string.IsNullOrEmpty(options.ClientCertificateFile) != string.IsNullOrEmpty(options.ClientKeyFile))
        {
            problems.Add("Mqtt:ClientCertificateFile and Mqtt:ClientKeyFile go together");
        }

        if (!options.Tls && (options.CaFile ?? options.ClientCertificateFile) is not null)
        {
            problems.Add("Mqtt:CaFile/ClientCertificateFile are set but Mqtt:Tls is false");
        }

        if (options.Tls && problems.Count == 0)
        {
            try
            {
                new MqttClientOptionsBuilder().WithTcpServer(options.Host, options.Port).WithSecurity(options).Build();
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                problems.Add($"Mqtt TLS files unusable: {e.Message}");
            }
        }

        return problems;
    }

    private static void Secret(string? file, string key, List<string> problems)
    {
        if (!string.IsNullOrEmpty(file) && SecretFile.Problem(key, file) is { } problem)
        {
            problems.Add(problem);
        }
    }
}

/// <summary>Runs <see cref="MqttSecurity.Problems"/> with the other <c>Mqtt</c> checks at start.</summary>
public sealed class MqttSecurityValidation : IValidateOptions<MqttOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var problems = MqttSecurity.Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
