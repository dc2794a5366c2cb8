namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent doctor</c>: checks what the service needs and explains each finding for the person at the box.
/// Exit code: 0 all good, 1 warnings (the agent runs but something needs attention), 2 failures (it will not
/// start or will not work).
/// </summary>
internal static class DoctorVerb
{
    public static async Task<int> RunAsync(Arguments arguments)
    {
        var configFile = arguments.Get("config");
        arguments.RejectUnknown();
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
