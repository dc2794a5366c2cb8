using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeAgent.Dashboard.Tests.Support;

/// <summary>A self-signed certificate for 127.0.0.1, written as the PEM files <c>Dashboard:CertificateFile</c>/<c>KeyFile</c> take.</summary>
public static class SelfSignedCertificate
{
    /// <summary>Writes <c>NAME.crt</c> and <c>NAME.key</c> (0600) into <paramref name="folder"/>; returns their paths and the certificate.</summary>
    public static (string CertificateFile, string KeyFile, X509Certificate2 Certificate) Write(string folder, string name = "dashboard")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        var certificateFile = Path.Combine(folder, name + ".crt");
        var keyFile = Path.Combine(folder, name + ".key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return (certificateFile, keyFile, certificate);
    }
}
