using System.ComponentModel;
using System.Runtime.InteropServices;

namespace EdgeAgent.Testing;

/// <summary>
/// SIGTERM for processes a test started (Process.Kill only sends SIGKILL on Linux). Through libc's kill(2), not the
/// kill(1) program: procps is not on every fresh machine, and the scripts install only what the tests name.
/// </summary>
public static partial class Signals
{
    private const int SigTerm = 15;
    private const int NoSuchProcess = 3; // ESRCH: it has exited already, which the caller sees when it waits for it

    public static void Terminate(int pid)
    {
        if (Kill(pid, SigTerm) != 0 && Marshal.GetLastPInvokeError() != NoSuchProcess)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({pid}, SIGTERM) failed");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
