using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging.Signing;

/// <summary>Box key log events, ids 4250–4269.</summary>
internal static partial class Log
{
    [LoggerMessage(4250, LogLevel.Warning, "Made a new box signing key {KeyFile}, key id {KeyId}, public key {PublicKey}: give consumers this key (edgeagent keys show), and back the file up")]
    public static partial void KeyCreated(ILogger logger, string keyFile, string keyId, string publicKey);

    [LoggerMessage(4251, LogLevel.Information, "Box signing key {KeyFile} loaded, key id {KeyId}")]
    public static partial void KeyLoaded(ILogger logger, string keyFile, string keyId);
}
