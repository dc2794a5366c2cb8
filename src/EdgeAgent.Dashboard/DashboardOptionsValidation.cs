using Microsoft.Extensions.Options;

namespace EdgeAgent.Dashboard;

/// <summary>
/// Checks <see cref="DashboardOptions"/> at start, beside the data annotations: addresses that parse, a token that
/// is long enough and kept in a safe file, and above all no address reachable from other machines without one.
/// A failure stops the start with one message (exit 78, like every configuration error).
/// </summary>
public sealed class DashboardOptionsValidation : IValidateOptions<DashboardOptions>
{
    /// <summary>Shortest token accepted: guessing one over the network must be hopeless.</summary>
    public const int MinTokenLength = 16;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var problems = new List<string>();
        var addresses = new List<ListenAddress>();
        foreach (var url in ListenAddress.Split(options.Urls))
        {
            if (ListenAddress.TryParse(url, out var address, out var error))
            {
                addresses.Add(address);
            }
            else
            {
                problems.Add($"Dashboard:Urls '{url}': {error}");
            }
        }

        var token = TokenProblems(options, problems);
        if (token is null && addresses.FirstOrDefault(a => !a.IsLoopback) is { } open)
        {
            problems.Add($"Dashboard:Urls binds {open}, which other machines can reach, and no token is set: set Dashboard:TokenFile "
                + "(or Dashboard:Token), or bind http://127.0.0.1:8080 and open it through an SSH tunnel");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    // The token when one is configured and usable; problems with it are added to the list.
    private static string? TokenProblems(DashboardOptions options, List<string> problems)
    {
        if (!string.IsNullOrEmpty(options.Token) && !string.IsNullOrEmpty(options.TokenFile))
        {
            problems.Add("Dashboard:Token and Dashboard:TokenFile are both set: keep one (the file)");
            return null;
        }

        if (!string.IsNullOrEmpty(options.TokenFile))
        {
            if (!File.Exists(options.TokenFile))
            {
                problems.Add($"Dashboard:TokenFile {options.TokenFile} does not exist");
                return null;
            }

            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(options.TokenFile) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                problems.Add($"Dashboard:TokenFile {options.TokenFile} is readable by every user: chmod o-rw (e.g. 0640 root:edgeagent)");
                return null;
            }
        }

        string? token;
        try
        {
            token = options.ResolveToken();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"Dashboard:TokenFile {options.TokenFile} cannot be read: {e.Message}");
            return null;
        }

        if (token is not null && token.Length < MinTokenLength)
        {
            problems.Add($"the dashboard token has {token.Length} characters; use at least {MinTokenLength} (e.g. openssl rand -hex 16)");
            return null;
        }

        return token;
    }
}
