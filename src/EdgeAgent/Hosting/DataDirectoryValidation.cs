using EdgeAgent.Hosting;
using EdgeAgent.Ingest;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Host.Hosting;

/// <summary>
/// What the running service needs of <c>Storage:DataDirectory</c>, checked at start (exit 78, one line each) instead
/// of failing later: it lies outside every watched folder (the model store's canary pairs and the quarantine would
/// otherwise be judged as product), and this user can create it and write in it (an unwritable one aborted the
/// process when the journal first opened). Only the service checks this: <c>edgeagent logs</c> reads a data
/// directory it may not write.
/// </summary>
internal sealed class DataDirectoryValidation(IOptions<IngestOptions> ingest) : IValidateOptions<VerdictLogOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, VerdictLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            return ValidateOptionsResult.Success; // the section's own rules name a missing value
        }

        // A NUL makes every path call throw (found by fuzzing the configuration); said once, and nothing else is checked.
        if (options.DataDirectory.Contains('\0', StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Fail("Storage:DataDirectory holds a NUL character, which no path can hold");
        }

        var problems = new List<string>();
        var data = Normalised(options.DataDirectory);
        foreach (var folder in ingest.Value.Folders.Where(f => !string.IsNullOrWhiteSpace(f) && !f.Contains('\0', StringComparison.Ordinal)))
        {
            var watched = Normalised(folder);
            if (data == watched || data.StartsWith(watched + "/", StringComparison.Ordinal))
            {
                problems.Add($"Storage:DataDirectory {options.DataDirectory} is {(data == watched ? "" : "inside ")}the watched folder {folder} (Ingest:Folders): "
                    + "the agent's own files (canary pairs, quarantine) would be judged as product; put the data directory outside every watched folder");
            }
        }

        if (Unwritable(options.DataDirectory) is { } why)
        {
            problems.Add($"Storage:DataDirectory {options.DataDirectory} cannot be written by user {Environment.UserName}: {why}");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    // Full path without a trailing separator, so /srv/aoi and /srv/aoi/ are the same folder and /srv/aoi2 is not inside it.
    private static string Normalised(string path) => Path.GetFullPath(path).TrimEnd('/');

    private static string? Unwritable(string dataDirectory)
    {
        var probe = Path.Combine(dataDirectory, $".write-check-{Environment.ProcessId}");
        try
        {
            PrivateFiles.CreateFolder(dataDirectory);
            using (new FileStream(probe, PrivateFiles.Create(FileMode.CreateNew, FileAccess.Write)))
            {
            }

            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return e.Message;
        }
    }
}
