using System.Diagnostics;
using EdgeAgent.Testing;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>
/// One <c>dotnet edgeagent.dll run --config FILE</c> process at a time, as systemd would run it: started,
/// killed with SIGKILL (<see cref="Process.Kill()"/> sends SIGKILL on Linux) or stopped with SIGTERM.
/// Its console output goes to a log file the failure messages quote.
/// </summary>
public sealed class AgentRunner(string configPath, string logPath) : IDisposable
{
    private readonly Lock _logGate = new();
    private Process? _process;
    private bool _started; // the running process printed "Application started"

    /// <summary>Processes started so far.</summary>
    public int Starts { get; private set; }

    /// <summary>Null while running (or never started), else why it is not running.</summary>
    public string? ExitedUnexpectedly => _process is { HasExited: true } p ? $"agent exited with {p.ExitCode}: {LogTail()}" : null;

    public void Start()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("agent already running");
        }

        _process?.Dispose();
        lock (_logGate)
        {
            _started = false;
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in new[] { RepoPaths.AgentDll, "run", "--config", configPath })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Starts++;
        Append($"--- start {Starts} pid {_process.Id} at {DateTime.UtcNow:O}");
    }

    /// <summary>SIGKILL, then waits until the process is gone (its file lock released).</summary>
    public void Kill()
    {
        var process = _process ?? throw new InvalidOperationException("agent not started");
        process.Kill();
        if (!process.WaitForExit(10_000))
        {
            throw new TimeoutException("agent did not die within 10 s of SIGKILL");
        }

        process.WaitForExit(); // flushes the redirected output
        Append($"--- SIGKILL at {DateTime.UtcNow:O}");
    }

    /// <summary>
    /// Once the agent has started, SIGTERM (a graceful stop) and returns the exit code; SIGKILL and throw if it takes
    /// over a minute. The wait matters when everything was done before the last restart: a SIGTERM before .NET handles
    /// it ends the process with 143 however well the agent stops (a stop while services start is proven in VerbTests).
    /// </summary>
    public int Stop()
    {
        var process = _process ?? throw new InvalidOperationException("agent not started");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Started && !process.HasExited && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        Signals.Terminate(process.Id);
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("agent did not stop within 60 s of SIGTERM: " + LogTail());
        }

        process.WaitForExit();
        Append($"--- SIGTERM exit {process.ExitCode} at {DateTime.UtcNow:O}");
        return process.ExitCode;
    }

    /// <summary>Whether the agent has printed <paramref name="text"/> so far.</summary>
    public bool HasPrinted(string text)
    {
        lock (_logGate)
        {
            return File.Exists(logPath) && File.ReadLines(logPath).Any(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>The last lines the agent printed (warnings and errors; the config keeps it quiet otherwise).</summary>
    public string LogTail(int lines = 30)
    {
        lock (_logGate)
        {
            return File.Exists(logPath) ? string.Join('\n', File.ReadLines(logPath).TakeLast(lines)) : "";
        }
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
    }

    private bool Started
    {
        get
        {
            lock (_logGate)
            {
                return _started;
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            _started |= line.Contains("Application started", StringComparison.Ordinal);
            File.AppendAllText(logPath, line + "\n");
        }
    }
}
