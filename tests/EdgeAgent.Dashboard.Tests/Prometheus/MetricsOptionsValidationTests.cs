using EdgeAgent.Dashboard.Prometheus;
using EdgeAgent.Testing;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Dashboard.Tests.Prometheus;

/// <summary>The start-up check of the scrape-only token: a file that exists, is kept private and holds a token worth the name.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MetricsOptionsValidationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void Validate_NoTokenFile_Accepted() => Assert.True(Validate(new MetricsOptions()).Succeeded);

    [Fact]
    public void Validate_MissingFile_RefusedNamingIt()
    {
        var file = Path.Combine(_temp.Path, "absent.token");

        Assert.Contains($"Metrics:TokenFile {file} does not exist", Assert.Single(Validate(new MetricsOptions { TokenFile = file }).Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReadableByEveryUser_Refused()
    {
        var file = Write("0123456789abcdef0123\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        Assert.Contains("is readable by every user", Assert.Single(Validate(new MetricsOptions { TokenFile = file }).Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortToken_Refused()
    {
        var file = Write("secret\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Contains("use at least 16", Assert.Single(Validate(new MetricsOptions { TokenFile = file }).Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PrivateFile_AcceptedAndFirstLineIsTheToken()
    {
        var options = new MetricsOptions { TokenFile = Write("0123456789abcdef0123\nignored\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead) };

        Assert.True(Validate(options).Succeeded);
        Assert.Equal("0123456789abcdef0123", options.ResolveToken());
    }

    public void Dispose() => _temp.Dispose();

    private static ValidateOptionsResult Validate(MetricsOptions options) => new MetricsOptionsValidation().Validate(null, options);

    private string Write(string content, UnixFileMode mode)
    {
        var file = Path.Combine(_temp.Path, "metrics.token");
        File.WriteAllText(file, content);
        File.SetUnixFileMode(file, mode);
        return file;
    }
}
