using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging.Signing;

/// <summary>
/// Loads (or at the first start makes) the box key when the agent starts, before the MQTT connection publishes: a
/// corrupt key file stops the start with one line (exit 78) instead of the agent publishing under a new key.
/// </summary>
public sealed class BoxKeyStartup(BoxSigner signer, ILogger<BoxKeyStartup> logger) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        BoxKey key;
        try
        {
            key = signer.Key;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // One line and exit 78, like every other start-up failure a technician must act on.
            throw new InvalidOperationException($"the box signing key {signer.KeyFile} cannot be read or made: {e.Message} (Mqtt:SigningKeyFile)", e);
        }

        if (signer.Created)
        {
            Log.KeyCreated(logger, signer.KeyFile, key.KeyId, key.PublicKeyBase64);
        }
        else
        {
            Log.KeyLoaded(logger, signer.KeyFile, key.KeyId);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
