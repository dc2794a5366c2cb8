using System.Diagnostics;
using EdgeAgent.Testing;

namespace EdgeAgent.Dashboard.Tests.Browser;

/// <summary>
/// Debian's chromium, headless, with a fresh profile and its DevTools port chosen by itself (port 0): the port and
/// the browser's WebSocket path are read from <c>DevToolsActivePort</c> in the profile folder. Missing chromium
/// fails the test with what to install: the browser test is part of CI and is never skipped.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly TempFolder _profile;

    private HeadlessChromium(Process process, TempFolder profile, Uri devTools)
    {
        _process = process;
        _profile = profile;
        DevTools = devTools;
    }

    /// <summary>The browser-level DevTools WebSocket.</summary>
    public Uri DevTools { get; }

    public static async Task<HeadlessChromium> StartAsync()
    {
        if (!File.Exists(Executable))
        {
            Assert.Fail($"{Executable} not found: the dashboard's browser test needs Debian's chromium package (./scripts/install-deps.sh installs it, or apt-get install chromium).");
        }

        var profile = new TempFolder("edgeagent-chromium-");
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
            $"--user-data-dir={profile.Path}", "--remote-debugging-port=0", "about:blank",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var portFile = Path.Combine(profile.Path, "DevToolsActivePort");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(portFile) && File.ReadAllLines(portFile) is [var port, var path, ..])
            {
                return new HeadlessChromium(process, profile, new Uri($"ws://127.0.0.1:{port}{path}"));
            }

            if (process.HasExited)
            {
                Assert.Fail($"chromium exited with {process.ExitCode} before opening its DevTools port");
            }

            await Task.Delay(100);
        }

        process.Kill(entireProcessTree: true);
        profile.Dispose();
        throw new TimeoutException("chromium did not write DevToolsActivePort within 60 s");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _profile.Dispose();
    }
}
