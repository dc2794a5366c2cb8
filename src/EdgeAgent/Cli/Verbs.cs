using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using EdgeAgent.Inference.Model;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// The command line (System.CommandLine): every verb with its typed options and help, usage mistakes as one line
/// and exit code 64, and start-up failures as one clear message and exit code 78.
/// </summary>
public static class Verbs
{
    /// <summary>Exit code for a command-line mistake (sysexits EX_USAGE).</summary>
    public const int UsageError = 64;

    /// <summary>Exit code for invalid configuration or model (sysexits EX_CONFIG).</summary>
    public const int ConfigError = 78;

    private const string Description = """
        edgeagent — AOI re-inspection agent (STPM on ONNX Runtime, verdicts over MQTT, log in LiteDB).
        Exit codes: 0 done, 1 failed or refused, 64 command-line mistake, 69 the box did not answer, 78 bad configuration or model
        (doctor: 0 all good, 1 warnings, 2 failures). 'edgeagent VERB --help' lists a verb's options.
        """;

    /// <summary>Runs the command line <paramref name="args"/> against the console.</summary>
    public static Task<int> RunAsync(string[] args) => InvokeAsync(args, Console.Out, Console.Error);

    /// <summary>
    /// Parses and runs <paramref name="args"/>; help and usage mistakes go to <paramref name="output"/> and
    /// <paramref name="error"/> (the verbs themselves print to the console).
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        // No response files: a value that starts with '@' (a note, a path) must stay what was typed.
        var result = CreateRoot().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0 && result.Action is not HelpAction)
        {
            await error.WriteLineAsync(UsageProblem.Describe(result)).ConfigureAwait(false);
            return UsageError;
        }

        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Exceptions are mapped to exit codes below, not printed as stack traces with exit 1.
            EnableDefaultExceptionHandler = false,
            // The generic host handles SIGTERM itself (graceful stop, exit 0 for systemd); the parser must not
            // also cancel and then kill the process after its own timeout.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await result.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"edgeagent: {e.Message}").ConfigureAwait(false);
            return UsageError;
        }
        catch (Exception e) when (e is ModelContractException or OptionsValidationException or FileNotFoundException or InvalidDataException
            || (e is InvalidOperationException && e is not ObjectDisposedException))
        {
            // Bad model, bad config, data directory in use: one line a technician can act on.
            await error.WriteLineAsync($"edgeagent: cannot start: {e.Message}").ConfigureAwait(false);
            return ConfigError;
        }
    }

    /// <summary>The whole command tree; public for the tests that walk every verb.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand(Description);
        foreach (var verb in new[]
        {
            RunVerb.Command(), DemoVerb.Command(), DoctorVerb.Command(), BenchVerb.Command(), InspectVerb.Command(),
            CalibrateVerb.Command(), LogsVerb.Command(), LabelsVerb.Command(), GenerateVerb.Command(), ModelsVerb.Command(), UsersVerb.Command(),
            KeysVerb.Command(),
        })
        {
            root.Subcommands.Add(verb);
        }

        // packaging/check-deb.sh compares `edgeagent --version` with "edgeagent X.Y.Z"; the parser's own
        // version option would print the informational version (with the commit) and no name.
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();
        // The old spellings `edgeagent help` and `edgeagent version` keep working, out of the help's way.
        var help = new Command("help", "the list of verbs") { Hidden = true };
        help.SetAction(ShowHelp);
        var version = new Command("version", "the agent's version") { Hidden = true };
        version.SetAction(new PrintVersion().Invoke);
        root.Subcommands.Add(help);
        root.Subcommands.Add(version);
        // No verb: the overview, as before (exit 0).
        root.SetAction(ShowHelp);
        return root;
    }

    private static int ShowHelp(ParseResult result)
    {
        // Help for the root, whichever hidden verb asked for it.
        var root = result.RootCommandResult.Command;
        return root.Parse(["--help"]).Invoke(result.InvocationConfiguration);
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var version = typeof(Verbs).Assembly.GetName().Version;
            parseResult.InvocationConfiguration.Output.WriteLine($"edgeagent {version?.ToString(3)}");
            return 0;
        }
    }
}
