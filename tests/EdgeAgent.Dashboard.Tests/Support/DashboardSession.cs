using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace EdgeAgent.Dashboard.Tests.Support;

/// <summary>
/// A browser-like HTTP client for the login tests: keeps cookies, does not follow redirects, reads the anti-forgery
/// token from the page it got, and trusts exactly one self-signed certificate when given one.
/// </summary>
public sealed partial class DashboardSession : IDisposable
{
    public DashboardSession(Uri address, X509Certificate2? trusted = null)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = Cookies };
        if (trusted is not null)
        {
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == trusted.Thumbprint;
        }

        Http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Http { get; }

    /// <summary>The anti-forgery token of the page at <paramref name="path"/> (form field or meta tag).</summary>
    public async Task<string> CsrfAsync(string path = "/login")
    {
        var page = await Http.GetStringAsync(new Uri(path, UriKind.Relative));
        var match = CsrfPattern().Match(page);
        Assert.True(match.Success, $"no anti-forgery token on {path}");
        return match.Groups[1].Value;
    }

    /// <summary>Posts the login form with the token of a fresh login page.</summary>
    public async Task<HttpResponseMessage> LoginAsync(string name, string password) =>
        await PostFormAsync("/login", new() { ["name"] = name, ["password"] = password, ["return"] = "/", ["__csrf"] = await CsrfAsync() });

    public async Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields)
    {
        using var content = new FormUrlEncodedContent(fields);
        return await Http.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("(?:name=\"__csrf\" value|name=\"csrf-token\" content)=\"([^\"]+)\"")]
    private static partial Regex CsrfPattern();
}
