namespace EdgeAgent.Hosting;

/// <summary>
/// A file named in the configuration that holds a secret (a password, a token, a private key): it must exist and
/// must not be readable or writable by every user of the box. One rule for every such setting, checked at start.
/// </summary>
public static class SecretFile
{
    /// <summary>
    /// Why <paramref name="file"/>, named by <paramref name="setting"/>, cannot hold a secret, or null when it can;
    /// <paramref name="group"/> is the group the advice names (the one that should read the file).
    /// </summary>
    public static string? Problem(string setting, string file, string group = "edgeagent")
    {
        if (!File.Exists(file))
        {
            return $"{setting} {file} does not exist";
        }

        return !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0
            ? $"{setting} {file} is readable by every user: chmod o-rw (e.g. 0640 root:{group})"
            : null;
    }

    /// <summary>The first line of <paramref name="file"/> without its line end; empty for an empty file.</summary>
    public static string FirstLine(string file) => File.ReadLines(file).FirstOrDefault()?.TrimEnd('\r') ?? "";
}
