namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// Where the dashboard may send a browser back to: only a path on this dashboard. A target starting with <c>//</c> or
/// <c>/\</c> is a protocol-relative address (a browser goes to another host), one with a scheme is another site, and
/// control characters could split the header: all are open redirects.
/// </summary>
internal static class LocalPath
{
    /// <summary>Whether <paramref name="target"/> is <c>/</c> followed by neither <c>/</c> nor <c>\</c>, with no control character.</summary>
    public static bool IsLocal(string? target) =>
        target is { Length: > 0 } t && t[0] == '/' && (t.Length == 1 || (t[1] != '/' && t[1] != '\\')) && !t.Any(char.IsControl);

    /// <summary><paramref name="target"/> when it is local, else the dashboard's home page.</summary>
    public static string OrHome(string? target) => IsLocal(target) ? target! : "/";
}
