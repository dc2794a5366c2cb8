using System.CommandLine;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent doctor</c>: checks what the service needs and explains each finding for the person at the box.
/// Exit code: 0 all good, 1 warnings (the agent runs but something needs attention), 2 failures (it will not
/// start or will not work).
/// </summary>
internal static class DoctorVerb
{
    public static Command Command()
    {
        var config = CliOptions.Config();
        var command = new Command("doctor", "checks config, folders, inotify, disk, broker, models, GPU, clock; exit 0 all good, 1 warnings, 2 failures").With(config);
        command.SetAction((result, _) => RunAsync(result.GetValue(config)));
        return command;
    }

    public static async Task<int> RunAsync(string? configFile)
    {
        var findings = await DoctorChecks.RunAsync(configFile).ConfigureAwait(false);
        foreach (var finding in findings)
        {
            var mark = finding.Severity switch { Severity.Ok => "[ OK ]", Severity.Warn => "[WARN]", _ => "[FAIL]" };
            Console.WriteLine($"{mark} {finding.Check,-16} {finding.Text}");
        }

        var failures = findings.Count(f => f.Severity == Severity.Fail);
        var warnings = findings.Count(f => f.Severity == Severity.Warn);
        Console.WriteLine($"doctor: {failures} failure(s), {warnings} warning(s)");
        return (int)findings.Select(f => f.Severity).DefaultIfEmpty(Severity.Ok).Max();
    }
}
