namespace EdgeAgent.Host.Cli;

/// <summary>
/// A command-line mistake the parser cannot see (a value out of range, a folder that does not exist): one line
/// on stderr, exit code 64, like the parser's own errors.
/// </summary>
public sealed class UsageException(string message) : Exception(message);
