using EdgeAgent.Host.Hosting;
using EdgeAgent.Testing;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Tests.Hosting;

/// <summary>Settings the <c>config</c> fuzz target (<see cref="ConfigurationFuzzTests"/>) found, kept as they were found.</summary>
public sealed class ConfigurationFuzzRegressionTests : IDisposable
{
    private readonly TempFolder _temp = new("edgeagent-fuzz-config-");

    [Fact]
    public void Validate_DataDirectoryNull_ValidationRefusalNotArgumentNullException()
    {
        // "Storage": { "DataDirectory": null }: validation read DatabasePath, which threw out of the validator.
        using var host = AgentHost.Build(null, new Dictionary<string, string?>
        {
            ["Ingest:Folders:0"] = _temp.Sub("aoi"),
            ["Storage:DataDirectory"] = null,
            ["Dashboard:Enabled"] = "false",
        });

        var refusal = Assert.Throws<OptionsValidationException>(() => AgentHost.ValidateOptions(host.Services));

        Assert.Contains(refusal.Failures, f => f.Contains("DataDirectory", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_TracePatternThatDoesNotParse_ValidationRefusalNotRegexParseException()
    {
        // Validation passed it, and ingest threw RegexParseException when it started.
        using var host = AgentHost.Build(null, new Dictionary<string, string?>
        {
            ["Ingest:Folders:0"] = _temp.Sub("aoi"),
            ["Storage:DataDirectory"] = _temp.Sub("data"),
            ["Ingest:TracePattern"] = "{\\#J8uysDmtV%nomE+T*s*?yR[YQ:AOq6P+9yqgLwOv(a9tc+}Ap\";~3/&`yS",
            ["Dashboard:Enabled"] = "false",
        });

        var refusal = Assert.Throws<OptionsValidationException>(() => AgentHost.ValidateOptions(host.Services));

        Assert.Contains(refusal.Failures, f => f.Contains("Ingest:TracePattern", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Ingest:Folders:1", "Ingest:Folders")]
    [InlineData("Storage:DataDirectory", "Storage:DataDirectory")]
    public void Validate_PathWithANulCharacter_ValidationRefusalNotArgumentException(string key, string named)
    {
        // Found as Ingest:Folders:1 = "<temp>/p/\"NNN…\0…": the data directory check threw "Null character in path".
        var settings = new Dictionary<string, string?>
        {
            ["Ingest:Folders:0"] = _temp.Sub("aoi"),
            ["Storage:DataDirectory"] = _temp.Sub("data"),
            ["Dashboard:Enabled"] = "false",
        };
        settings[key] = Path.Combine(_temp.Path, "p", "\"NNNN\0NNNN");
        using var host = AgentHost.Build(null, settings);

        var refusal = Assert.Throws<OptionsValidationException>(() => AgentHost.ValidateOptions(host.Services));

        Assert.Contains(refusal.Failures, f => f.Contains(named, StringComparison.Ordinal) && f.Contains("NUL", StringComparison.Ordinal));
    }

    public void Dispose() => _temp.Dispose();
}
