using System.Diagnostics;

namespace EdgeAgent.Testing;

/// <summary>Runs the built edgeagent executable (or another program a test needs) as a real process and captures what it prints.</summary>
public static class AgentProcess
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunProgram("dotnet", [RepoPaths.AgentDll, .. args]);

    /// <summary>Runs <paramref name="program"/> to completion (at most 3 minutes) from the test's folder.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunProgram(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(program + " " + string.Join(' ', start.ArgumentList) + " did not finish");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
