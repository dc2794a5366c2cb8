namespace EdgeAgent.Models.Store;

/// <summary>
/// Orders model versions by Semantic Versioning 2.0.0 precedence (§11): build metadata (<c>+…</c>) is ignored, the
/// dot-separated identifiers compare numerically when both are digits and ordinally otherwise, a numeric one sorts
/// before a textual one, a shorter list before a longer one with the same start, and a pre-release (<c>-…</c>) before its
/// release. Versions that are not SemVer (<c>2024.05</c>, <c>v3</c>) still get a total order by the same rules.
/// </summary>
public static class ModelVersion
{
    /// <summary><see cref="Compare"/> as a comparer.</summary>
    public static IComparer<string> Comparer { get; } = Comparer<string>.Create(Compare);

    /// <summary>Negative when <paramref name="a"/> precedes <paramref name="b"/>, zero when they are equal in precedence, positive else.</summary>
    public static int Compare(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        var (releaseA, preA) = Split(a);
        var (releaseB, preB) = Split(b);
        var release = CompareIdentifiers(releaseA, releaseB);
        if (release != 0)
        {
            return release;
        }

        // 1.0.0-rc.1 < 1.0.0: a version without a pre-release part ranks above one with it.
        return (preA, preB) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => CompareIdentifiers(preA, preB),
        };
    }

    private static (string Release, string? PreRelease) Split(string version)
    {
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        var core = plus < 0 ? version : version[..plus];
        var dash = core.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? (core, null) : (core[..dash], core[(dash + 1)..]);
    }

    private static int CompareIdentifiers(string a, string b)
    {
        var left = a.Split('.');
        var right = b.Split('.');
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var order = CompareIdentifier(left[i], right[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    private static int CompareIdentifier(string a, string b)
    {
        var numericA = IsDigits(a);
        var numericB = IsDigits(b);
        if (numericA && numericB)
        {
            // Leading zeros do not change a number's rank; compare by length, then digit by digit (no overflow).
            var trimmedA = a.TrimStart('0');
            var trimmedB = b.TrimStart('0');
            return trimmedA.Length != trimmedB.Length
                ? trimmedA.Length.CompareTo(trimmedB.Length)
                : string.CompareOrdinal(trimmedA, trimmedB);
        }

        return numericA != numericB ? (numericA ? -1 : 1) : string.CompareOrdinal(a, b);
    }

    private static bool IsDigits(string identifier) =>
        identifier.Length > 0 && identifier.All(char.IsAsciiDigit);
}
