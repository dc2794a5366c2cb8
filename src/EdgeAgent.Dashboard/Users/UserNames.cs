namespace EdgeAgent.Dashboard.Users;

/// <summary>
/// The rules for a user name, the same for the verb and the login form: 1–64 characters, no control or format
/// characters (a name ends up in logs, the audit trail and HTML; a newline or a bidi override must not forge lines
/// or hide text), no surrounding spaces.
/// </summary>
public static class UserNames
{
    /// <summary>Longest user name.</summary>
    public const int MaxLength = 64;

    /// <summary>Null when <paramref name="name"/> is acceptable, else why not (one sentence).</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the user name is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"the user name has {name.Length} characters; at most {MaxLength}";
        }

        if (name.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator))
        {
            return "the user name contains control characters (newline, tab, escape or invisible formatting); use letters, digits, '.', '-' or '_'";
        }

        return name.Trim().Length != name.Length ? "the user name starts or ends with a space" : null;
    }

    /// <summary>A name for a log line or the audit trail: control characters replaced, at most 32 characters.</summary>
    public static string ForLog(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "(none)";
        }

        var cleaned = new string([.. name.Take(32).Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format ? '?' : c)]);
        return name.Length > 32 ? cleaned + "…" : cleaned;
    }
}
