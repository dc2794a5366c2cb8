using System.CommandLine;
using System.Text.Json;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Storage.Log;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent keys show</c>: the box key's id and public key, what a consumer needs to verify the box's messages. It
/// only reads the key file, so it works while the agent runs; it never makes a key (the agent does at its first start).
/// </summary>
internal static class KeysVerb
{
    public static Command Command()
    {
        var command = new Command("keys", "the box's own signing key, which signs every message it publishes");
        var dataDir = CliOptions.Text("--data-dir", "DIR", "the agent's data directory [default: Storage:DataDirectory of the configuration]");
        var json = CliOptions.Flag("--json", "one JSON object: keyId, algorithm, publicKey (raw, base64), publicKeyPem, file");
        var config = CliOptions.Config();
        var show = new Command("show", "prints the box key's id and public key (base64 of the raw 32 bytes, and PEM)").With(dataDir, json, config);
        show.SetAction((result, _) => Task.FromResult(Show(result.GetValue(config), result.GetValue(dataDir), result.GetValue(json))));
        command.Subcommands.Add(show);
        return command;
    }

    private static int Show(string? configFile, string? dataDir, bool json)
    {
        var overrides = new Dictionary<string, string?>();
        if (dataDir is not null)
        {
            overrides[$"{VerdictLogOptions.Section}:{nameof(VerdictLogOptions.DataDirectory)}"] = dataDir;
        }

        using var options = VerbOptions.Read(configFile, overrides);
        var file = options.Get<MqttOptions>().SigningKeyFile; // Mqtt:SigningKeyFile, else box-signing.key in the data directory
        if (!File.Exists(file))
        {
            Console.Error.WriteLine($"edgeagent: no box key at {file} yet: the agent makes it at its first start");
            return 1;
        }

        BoxKey key;
        try
        {
            key = BoxKey.Load(file);
        }
        catch (UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"edgeagent: {file} is readable only by the service user (mode 0600): run as root or with sudo -u edgeagent");
            return 1;
        }

        using (key)
        {
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new KeyView(key.KeyId, "Ed25519", key.PublicKeyBase64, key.PublicKeyPem, Path.GetFullPath(file)), KeysJsonContext.Default.KeyView));
                return 0;
            }

            Console.WriteLine($"key id      {key.KeyId}");
            Console.WriteLine("algorithm   Ed25519");
            Console.WriteLine($"public key  {key.PublicKeyBase64}");
            Console.WriteLine($"file        {Path.GetFullPath(file)}");
            Console.Write(key.PublicKeyPem);
            return 0;
        }
    }
}

/// <summary>What <c>keys show --json</c> prints.</summary>
internal sealed record KeyView(string KeyId, string Algorithm, string PublicKey, string PublicKeyPem, string File);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(KeyView))]
internal sealed partial class KeysJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
