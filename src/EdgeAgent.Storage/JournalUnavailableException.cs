namespace EdgeAgent.Storage;

/// <summary>
/// The journal or its archive cannot be read or written now (full disk, I/O error, a damaged page): the only
/// exception Storage lets out for its database, so callers never see LiteDB's types. It is an
/// <see cref="IOException"/>, as the pipeline's seams promise: the caller waits and retries, nothing is lost.
/// </summary>
public sealed class JournalUnavailableException : IOException
{
    public JournalUnavailableException()
    {
    }

    public JournalUnavailableException(string message)
        : base(message)
    {
    }

    public JournalUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
