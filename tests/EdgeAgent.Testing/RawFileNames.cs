using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAgent.Testing;

/// <summary>
/// Files whose names are not valid UTF-8, as a misconfigured AOI PC (Latin-1 locale, a Samba share) writes them. .NET
/// cannot name such a file (it would encode the string as UTF-8), so the file is written under a plain name and renamed
/// through libc with the raw bytes.
/// </summary>
public static partial class RawFileNames
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="folder"/>/<paramref name="name"/> (raw bytes, no terminator).</summary>
    public static void Write(string folder, byte[] name, byte[] content)
    {
        var plain = Path.Combine(folder, $"raw-{Guid.NewGuid():N}");
        File.WriteAllBytes(plain, content);
        if (Rename(Terminated(Encoding.UTF8.GetBytes(plain)), Terminated([.. Encoding.UTF8.GetBytes(folder + "/"), .. name])) != 0)
        {
            throw new IOException($"rename to a raw name failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static byte[] Terminated(byte[] path) => [.. path, 0];

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static partial int Rename(byte[] oldPath, byte[] newPath);
}
