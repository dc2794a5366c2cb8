using System.CommandLine;
using EdgeAgent.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Host.Cli;

/// <summary><c>edgeagent run</c>: the systemd service.</summary>
internal static class RunVerb
{
    public static Command Command()
    {
        var config = CliOptions.Config();
        var command = new Command("run", "the service (systemd Type=notify): watch the AOI folders, judge each pair, publish verdicts").With(config);
        command.SetAction((result, _) => RunAsync(result.GetValue(config)));
        return command;
    }

    public static async Task<int> RunAsync(string? configFile)
    {
        using var host = AgentHost.Build(configFile, new Dictionary<string, string?>());
        // Taken before RunAsync, which disposes the host (and its service provider) when it returns.
        var stages = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        try
        {
            await host.RunAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // SIGTERM while a service was still starting: a stop, not a failure (nothing was judged half-way, and
            // the journal resumes whatever was seen at the next start). Unhandled, it would abort with exit 134.
            Console.Error.WriteLine("edgeagent: stopped while starting");
        }

        return ExitCodeOf(stages);
    }

    /// <summary>
    /// Non-zero when a pipeline stage died: .NET stops the host on a crashed BackgroundService but would
    /// still exit 0, and systemd must see the failure to restart us.
    /// </summary>
    public static int ExitCodeOf(IEnumerable<BackgroundService> stages)
    {
        var failed = stages.Where(s => s.ExecuteTask is { IsFaulted: true }).ToList();
        foreach (var stage in failed)
        {
            Console.Error.WriteLine($"edgeagent: stage {stage.GetType().Name} failed: {stage.ExecuteTask!.Exception?.GetBaseException()}");
        }

        return failed.Count > 0 ? 1 : 0;
    }
}
