using EdgeAgent.Hosting;

namespace EdgeAgent.Storage.Log;

/// <summary>
/// One agent per data directory. LiteDB's direct mode does not stop a second process from writing the
/// same file on Linux, so the agent holds an exclusive lock (flock) on <c>edgeagent.lock</c> while it runs.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock or throws with a message naming the folder.</summary>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        PrivateFiles.CreateFolder(dataDirectory);
        var path = Path.Combine(dataDirectory, "edgeagent.lock");
        try
        {
            var stream = new FileStream(path, PrivateFiles.Create(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            PrivateFiles.Restrict(path);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush();
            return new DataDirectoryLock(stream);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"Another EdgeAgent already uses the data directory {dataDirectory} ({path} is locked).", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
