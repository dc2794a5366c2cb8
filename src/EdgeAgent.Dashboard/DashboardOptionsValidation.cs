using EdgeAgent.Dashboard.Access;
using EdgeAgent.Hosting;
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

        foreach (var host in options.AllowedHosts)
        {
            if (!HostGate.IsName(host))
            {
                problems.Add($"Dashboard:AllowedHosts '{host}': expected a host name such as aoi-box.plant.local or *.plant.local (no scheme, port or bare *; IP addresses and localhost are always allowed)");
            }
        }

        if (options.MaxConnectionsPerAddress > options.MaxConnections)
        {
            problems.Add($"Dashboard:MaxConnectionsPerAddress ({options.MaxConnectionsPerAddress}) is above Dashboard:MaxConnections ({options.MaxConnections}): one client could take every slot");
        }

        CertificateProblems(options, addresses.Any(a => a.Https), problems);
        var token = TokenProblems(options, problems);
        if (token is null && addresses.FirstOrDefault(a => !a.IsLoopback) is { } open)
        {
            problems.Add($"Dashboard:Urls binds {open}, which other machines can reach, and no token is set: set Dashboard:TokenFile "
                + "(or Dashboard:Token), or bind http://127.0.0.1:8080 and open it through an SSH tunnel");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    // HTTPS needs a certificate and its key that belong together; a certificate without an https address is a mistake too.
    private static void CertificateProblems(DashboardOptions options, bool https, List<string> problems)
    {
        var certificate = !string.IsNullOrEmpty(options.CertificateFile);
        var key = !string.IsNullOrEmpty(options.KeyFile);
        if (!certificate && !key)
        {
            if (https)
            {
                problems.Add("Dashboard:Urls has an https:// address but Dashboard:CertificateFile and Dashboard:KeyFile are not set (PEM files)");
            }

            return;
        }

        if (certificate != key)
        {
            problems.Add("Dashboard:CertificateFile and Dashboard:KeyFile go together: set both (PEM certificate and its private key)");
            return;
        }

        if (!https)
        {
            problems.Add("Dashboard:CertificateFile is set but no address in Dashboard:Urls is https://: add one (e.g. https://0.0.0.0:8443) or remove the certificate");
            return;
        }

        foreach (var (setting, file) in new[] { ("CertificateFile", options.CertificateFile!), ("KeyFile", options.KeyFile!) })
        {
            if (!File.Exists(file))
            {
                problems.Add($"Dashboard:{setting} {file} does not exist");
                return;
            }
        }

        if (SecretFile.Problem("Dashboard:KeyFile", options.KeyFile!) is { } keyProblem)
        {
            problems.Add(keyProblem);
            return;
        }

        try
        {
            using var loaded = options.LoadCertificate();
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            problems.Add($"Dashboard:CertificateFile {options.CertificateFile} with Dashboard:KeyFile {options.KeyFile} cannot be loaded "
                + $"(not PEM, or the key does not belong to the certificate): {e.Message}");
        }
    }

    // The token when one is configured and usable; problems with it are added to the list.
    private static string? TokenProblems(DashboardOptions options, List<string> problems)
    {
        if (!string.IsNullOrEmpty(options.Token) && !string.IsNullOrEmpty(options.TokenFile))
        {
            problems.Add("Dashboard:Token and Dashboard:TokenFile are both set: keep one (the file)");
            return null;
        }

        if (!string.IsNullOrEmpty(options.TokenFile) && SecretFile.Problem("Dashboard:TokenFile", options.TokenFile) is { } fileProblem)
        {
            problems.Add(fileProblem);
            return null;
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
