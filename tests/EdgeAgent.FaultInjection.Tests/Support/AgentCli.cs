using System.Diagnostics;
using EdgeAgent.Testing;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>Runs one <c>edgeagent</c> verb to completion, as a technician at the box's shell would.</summary>
public static class AgentCli
{
    /// <summary>The verb's standard output; fails the test with its error output when it exits non-zero.</summary>
    public static string Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(RepoPaths.AgentDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException($"edgeagent {string.Join(' ', args)} did not finish within 2 minutes");
        }

        Assert.True(process.ExitCode == 0, $"edgeagent {string.Join(' ', args)} exited {process.ExitCode}: {error.Result}");
        return output.Result;
    }
}
