using System.Diagnostics;
using System.Globalization;

namespace EdgeAgent.Testing;

/// <summary>
/// SIGTERM for processes a test started (Process.Kill only sends SIGKILL on Linux). Uses kill(1)
/// rather than a P/Invoke so the test project needs no unsafe code.
/// </summary>
public static class Signals
{
    public static void Terminate(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true })!;
        kill.WaitForExit(5000);
    }
}
