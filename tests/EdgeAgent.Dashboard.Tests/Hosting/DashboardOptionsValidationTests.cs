using EdgeAgent.Testing;

namespace EdgeAgent.Dashboard.Tests.Hosting;

/// <summary>The start-up check: nothing reachable from other machines without a token, and a token worth the name.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DashboardOptionsValidationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://*:8080")]
    [InlineData("http://192.168.10.20:8080")]
    [InlineData("http://127.0.0.1:8080;http://[::]:8080")]
    public void Validate_OtherMachinesCanReachWithoutToken_RefusedWithOneMessage(string urls)
    {
        var result = Validate(new DashboardOptions { Urls = urls });

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("which other machines can reach, and no token is set: set Dashboard:TokenFile", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://[::1]:8080;http://127.0.0.1:0")]
    public void Validate_LoopbackWithoutToken_Accepted(string urls) => Assert.True(Validate(new DashboardOptions { Urls = urls }).Succeeded);

    [Fact]
    public void Validate_AnyInterfaceWithToken_Accepted() =>
        Assert.True(Validate(new DashboardOptions { Urls = "http://0.0.0.0:8080", Token = "a-token-of-20-chars!" }).Succeeded);

    [Theory]
    [InlineData("ftp://0.0.0.0:21", "only http://host:port and https://host:port are served")]
    [InlineData("http://box.plant.local:8080", "the host must be an IP address, localhost or *")]
    [InlineData("http://127.0.0.1", "expected http://host:port")]
    [InlineData("http://localhost:0", "port 0 needs an IP address")]
    public void Validate_UnusableAddress_RefusedSayingWhy(string urls, string expected) =>
        Assert.Contains(expected, Assert.Single(Validate(new DashboardOptions { Urls = urls }).Failures!), StringComparison.Ordinal);

    [Theory]
    [InlineData("aoi-box.plant.local")]
    [InlineData("*.plant.local")]
    [InlineData("aoi-box")]
    public void Validate_AllowedHostName_Accepted(string host)
    {
        var options = new DashboardOptions();
        options.AllowedHosts.Add(host);

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("http://aoi-box.plant.local")]
    [InlineData("aoi-box.plant.local:8080")]
    [InlineData("")]
    public void Validate_AllowedHostNotAName_RefusedSayingWhy(string host)
    {
        var options = new DashboardOptions();
        options.AllowedHosts.Add(host);

        Assert.Contains("Dashboard:AllowedHosts", Assert.Single(Validate(options).Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortToken_Refused() =>
        Assert.Contains("use at least 16", Assert.Single(Validate(new DashboardOptions { Token = "secret" }).Failures!), StringComparison.Ordinal);

    [Fact]
    public void Validate_TokenFile_FirstLineIsTheTokenAndEveryUserMustNotReadIt()
    {
        var file = Path.Combine(_temp.Path, "dashboard.token");
        File.WriteAllText(file, "0123456789abcdef0123\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var options = new DashboardOptions { Urls = "http://0.0.0.0:8080", TokenFile = file };

        Assert.Contains(Validate(options).Failures!, f => f.Contains("is readable by every user", StringComparison.Ordinal));

        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.True(Validate(options).Succeeded);
        Assert.Equal("0123456789abcdef0123", options.ResolveToken());
    }

    [Fact]
    public void Validate_Disabled_NothingElseChecked() =>
        Assert.True(Validate(new DashboardOptions { Enabled = false, Urls = "http://0.0.0.0:8080" }).Succeeded);

    public void Dispose() => _temp.Dispose();

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(DashboardOptions options) => new DashboardOptionsValidation().Validate(null, options);
}
