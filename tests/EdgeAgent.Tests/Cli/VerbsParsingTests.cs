using EdgeAgent.Host.Cli;
using EdgeAgent.Testing;

namespace EdgeAgent.Tests.Cli;

/// <summary>
/// The command line itself, in-process (no verb runs): every verb's help and its options, and the one-line
/// answer to a mistyped option or verb. One real-process test of each behaviour sits at the end.
/// </summary>
public sealed class VerbsParsingTests
{
    /// <summary>Every verb and sub-verb with the options its usage has always documented (README, the old usage text).</summary>
    public static TheoryData<string, string[]> VerbOptions => new()
    {
        { "run", ["--config"] },
        { "demo", ["--count", "--out", "--mqtt-host", "--mqtt-port", "--config"] },
        { "doctor", ["--config"] },
        { "bench", ["--count", "--size", "--lone", "--warmup", "--batch", "--workers", "--lanes", "--threads", "--model", "--provider", "--drift", "--config", "--out"] },
        { "inspect", ["--template", "--image", "--model", "--product", "--json", "--no-align", "--heatmap", "--config"] },
        { "calibrate", ["--ok", "--ng", "--model", "--product", "--target-overkill", "--config", "--write", "--json"] },
        { "logs", ["--data-dir", "--since", "--until", "--verdict", "--product", "--limit", "--json", "--csv", "--stats", "--audit", "--config"] },
        { "generate", ["--out", "--count", "--ng-fraction", "--seed", "--max-shift", "--max-angle", "--size", "--format", "--products", "--pitch"] },
        { "models keygen", ["--out"] },
        { "models sign", ["--model", "--key", "--out", "--name", "--version", "--canary", "--notes", "--by"] },
        { "models push", ["--package", "--config", "--host", "--port", "--site", "--area", "--line", "--station", "--chunk-size", "--timeout", "--key", "--downgrade"] },
        { "models rollback", ["--name", "--key", "--config", "--host", "--port", "--site", "--area", "--line", "--station", "--timeout"] },
        { "models list", ["--data-dir", "--config"] },
        { "users list", ["--data-dir", "--config"] },
    };

    [Theory]
    [MemberData(nameof(VerbOptions))]
    public async Task Help_EveryVerb_ExitsZeroAndListsItsOptions(string verb, string[] options)
    {
        var (code, stdout, stderr) = await InvokeAsync([.. verb.Split(' '), "--help"]);

        Assert.True(code == 0, stderr);
        // In-process the root is named after the test host; the real-process tests below see "edgeagent".
        Assert.Contains($" {verb} [options]", stdout, StringComparison.Ordinal);
        foreach (var option in options)
        {
            Assert.Matches($@"(?m)^\s+{option}\b", stdout);
        }

        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Help_EveryCommandInTheTree_ExitsZero()
    {
        // A verb added later without a row above still gets its help checked.
        foreach (var path in Paths(Verbs.CreateRoot(), []))
        {
            var (code, stdout, stderr) = await InvokeAsync([.. path, "--help"]);

            Assert.True(code == 0, $"{string.Join(' ', path)}: {stderr}");
            Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(VerbOptions))]
    public async Task UnknownOption_EveryVerb_OneLineNamingTheNearestAndUsageError(string verb, string[] options)
    {
        // A typo of the verb's last option: a letter doubled.
        var option = options[^1];
        var typo = option + option[^1];

        var (code, stdout, stderr) = await InvokeAsync([.. verb.Split(' '), typo]);

        Assert.Equal(Verbs.UsageError, code);
        Assert.Equal($"edgeagent: unknown option '{typo}'; did you mean '{option}'?{Environment.NewLine}", stderr);
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("inspect --modle m.onnx", "edgeagent: unknown option '--modle'; did you mean '--model'?")]
    [InlineData("logs --verdcit NG", "edgeagent: unknown option '--verdcit'; did you mean '--verdict'?")]
    [InlineData("modles list", "edgeagent: unknown verb 'modles' for 'edgeagent'; did you mean 'models'?")]
    [InlineData("models sgin", "edgeagent: unknown verb 'sgin' for 'edgeagent models'; did you mean 'sign'?")]
    public async Task Invoke_Typo_NamesTheNearestValidOne(string args, string expected)
    {
        var (code, _, stderr) = await InvokeAsync(args.Split(' '));

        Assert.Equal(Verbs.UsageError, code);
        Assert.Equal(expected, stderr.TrimEnd());
    }

    [Theory]
    [InlineData("models", "needs one of its verbs: keygen, sign, push, rollback, promote, list")]
    [InlineData("inspect --image i.png", "Option --template is required: product 'default' has no golden image")]
    [InlineData("logs --since", "'--since'")]
    [InlineData("logs --limit many", "option --limit takes a whole number, not 'many'")]
    [InlineData("bench stray", "unexpected argument 'stray'")]
    [InlineData("generate --out unused --size 100", "generate: options.Size ('100') must be greater than or equal to '200'")]
    [InlineData("generate --out unused --pitch 20-90", "generate: --pitch takes MIN:MAX in whole pixels (e.g. 20:90), not '20-90'.")]
    [InlineData("generate --out unused --pitch 90:20", "generate: the pitch range 90:20 must satisfy 12 ≤ min ≤ max ≤ 200 px.")]
    [InlineData("generate --out unused --products UBM,", "generate: Products must be non-empty names")]
    public async Task Invoke_OtherUsageMistakes_OneLineAndUsageError(string args, string expected)
    {
        var (code, _, stderr) = await InvokeAsync(args.Split(' '));

        Assert.Equal(Verbs.UsageError, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    public async Task Version_BothSpellings_PrintNameAndThreePartVersion(string args)
    {
        var (code, stdout, _) = await InvokeAsync([args]);

        Assert.Equal(0, code);
        Assert.Matches(@"^edgeagent \d+\.\d+\.\d+\r?\n$", stdout); // packaging/check-deb.sh compares it whole
    }

    [Fact]
    public async Task Invoke_NoVerb_PrintsTheVerbsAndExitsZero()
    {
        var (code, stdout, _) = await InvokeAsync([]);

        Assert.Equal(0, code);
        foreach (var verb in new[] { "run", "demo", "doctor", "bench", "inspect", "calibrate", "logs", "generate", "models" })
        {
            Assert.Matches($@"(?m)^\s+{verb}\s", stdout);
        }
    }

    [Theory]
    [InlineData("models --help", "keygen")]
    [InlineData("inspect --help", "--heatmap")]
    [InlineData("models push --help", "--chunk-size")]
    [Trait("Category", "Integration")]
    public void Help_RealProcess_ExitsZeroAndListsTheOptions(string args, string expected)
    {
        // The two the issue reported (exit 64, "needs a value") and a sub-verb, as a technician runs them.
        var (code, stdout, stderr) = AgentProcess.Run(args.Split(' '));

        Assert.True(code == 0, stderr);
        Assert.Contains($"edgeagent {args[..^" --help".Length]} [", stdout, StringComparison.Ordinal);
        Assert.Contains(expected, stdout, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void UnknownOption_RealProcess_OneLineSuggestionAndUsageError()
    {
        var (code, stdout, stderr) = AgentProcess.Run("inspect", "--modle", "m.onnx", "--template", "t.png", "--image", "i.png");

        Assert.Equal(Verbs.UsageError, code);
        Assert.Equal("edgeagent: unknown option '--modle'; did you mean '--model'?", stderr.TrimEnd());
        Assert.Equal("", stdout);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void UnknownVerb_RealProcess_OneLineSuggestionAndUsageError()
    {
        var (code, _, stderr) = AgentProcess.Run("models", "sgin");

        Assert.Equal(Verbs.UsageError, code);
        Assert.Equal("edgeagent: unknown verb 'sgin' for 'edgeagent models'; did you mean 'sign'?", stderr.TrimEnd());
    }

    private static async Task<(int Code, string Stdout, string Stderr)> InvokeAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Verbs.InvokeAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static IEnumerable<string[]> Paths(System.CommandLine.Command command, string[] prefix)
    {
        // The hidden old spellings (help, version) have no options of their own to list.
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            string[] path = [.. prefix, sub.Name];
            yield return path;
            foreach (var deeper in Paths(sub, path))
            {
                yield return deeper;
            }
        }
    }
}
