using System.Net;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Dashboard.Users;
using EdgeAgent.Testing;

namespace EdgeAgent.Dashboard.Tests.Hosting;

/// <summary>HTTPS from PEM files: served over real TLS with a certificate made in the test, and refused at start when unusable.</summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DashboardHttpsTests : IDisposable
{
    private readonly TempFolder _temp = new("edgeagent-https-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Https_Login_ServedOverTlsWithASecureSessionCookie()
    {
        var (certificateFile, keyFile, certificate) = SelfSignedCertificate.Write(_temp.Path);
        using var _ = certificate;
        await using var rig = await DashboardRig.StartAsync(configure: o => (o.Urls, o.CertificateFile, o.KeyFile) = ("https://127.0.0.1:0", certificateFile, keyFile));
        new UserAdministration(new UsersFile(rig.UsersFile), TimeProvider.System).Add("olga", "operator", "correct horse battery");
        var address = Assert.Single(rig.Server.Addresses);
        Assert.StartsWith("https://", address, StringComparison.Ordinal);
        using var session = new DashboardSession(new Uri(address), certificate);

        using var response = await session.LoginAsync("olga", "correct horse battery");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("edgeagent_session=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("olga", await session.Http.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HttpsAddressWithoutCertificate_Refused() =>
        Assert.Contains("https:// address but Dashboard:CertificateFile and Dashboard:KeyFile are not set",
            Assert.Single(Validate(new DashboardOptions { Urls = "https://127.0.0.1:8443" }).Failures!), StringComparison.Ordinal);

    [Fact]
    public void Validate_KeyOfAnotherCertificate_Refused()
    {
        var (certificateFile, _, first) = SelfSignedCertificate.Write(_temp.Path, "one");
        var (_, otherKey, second) = SelfSignedCertificate.Write(_temp.Path, "two");
        first.Dispose();
        second.Dispose();

        var failure = Assert.Single(Validate(new DashboardOptions { Urls = "https://127.0.0.1:8443", CertificateFile = certificateFile, KeyFile = otherKey }).Failures!);

        Assert.Contains("the key does not belong to the certificate", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateFileMissing_Refused() =>
        Assert.Contains("does not exist", Assert.Single(Validate(new DashboardOptions
        {
            Urls = "https://127.0.0.1:8443",
            CertificateFile = Path.Combine(_temp.Path, "none.crt"),
            KeyFile = Path.Combine(_temp.Path, "none.key"),
        }).Failures!), StringComparison.Ordinal);

    [Fact]
    public void Validate_CertificateWithoutHttpsAddress_Refused()
    {
        var (certificateFile, keyFile, certificate) = SelfSignedCertificate.Write(_temp.Path);
        certificate.Dispose();

        var failure = Assert.Single(Validate(new DashboardOptions { Urls = "http://127.0.0.1:8080", CertificateFile = certificateFile, KeyFile = keyFile }).Failures!);

        Assert.Contains("no address in Dashboard:Urls is https://", failure, StringComparison.Ordinal);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(DashboardOptions options) => new DashboardOptionsValidation().Validate(null, options);
}
