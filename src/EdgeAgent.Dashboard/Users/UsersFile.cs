using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Hosting;

namespace EdgeAgent.Dashboard.Users;

/// <summary>
/// <c>users.json</c>, beside the journal in the agent's data directory. A file of its own, not a LiteDB collection:
/// the running agent holds the journal (and its <c>edgeagent.lock</c>), and <c>edgeagent users</c> must work while it
/// runs. Written whole and atomically (temp file, fsync, rename), mode 0600, so the dashboard, which rereads it when
/// its time stamp or size changes, never sees half a file. Changes go through <see cref="Change"/>, which holds
/// <c>users.json.lock</c> so two verbs at once do not lose each other's change.
/// </summary>
public sealed class UsersFile(string path)
{
    /// <summary>The file's name in the data directory.</summary>
    public const string DefaultName = "users.json";

    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>The accounts; none when the file does not exist. A damaged file throws <see cref="InvalidDataException"/>.</summary>
    public IReadOnlyList<UserAccount> Read()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        try
        {
            using var stream = File.OpenRead(Path);
            var document = JsonSerializer.Deserialize(stream, UsersJsonContext.Default.UsersDocument);
            return document?.Users ?? throw new InvalidDataException($"{Path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path} is not a valid users file: {e.Message}", e);
        }
    }

    /// <summary>Reads, applies <paramref name="change"/> and writes back, under the file's lock.</summary>
    public IReadOnlyList<UserAccount> Change(Func<IReadOnlyList<UserAccount>, IReadOnlyList<UserAccount>> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using var gate = Lock();
        var changed = change(Read());
        Write(changed);
        return changed;
    }

    private FileStream Lock()
    {
        // flock-style: FileShare.None on Linux takes an advisory lock; another verb waits a moment for it.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(100);
            }
        }
    }

    private void Write(IReadOnlyList<UserAccount> users)
    {
        var temp = $"{Path}.{Environment.ProcessId}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // Created 0600: the hashes are not secrets in the clear, but nobody else needs to read them.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                JsonSerializer.Serialize(stream, new UsersDocument(1, users), UsersJsonContext.Default.UsersDocument);
                // On disk before the rename makes it the file: a power cut leaves the old file or the new, whole.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
            DirectorySync.SyncParentOf(Path); // the rename too survives a power cut
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
