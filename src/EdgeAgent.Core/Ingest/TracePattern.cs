using System.Text.RegularExpressions;

namespace EdgeAgent.Ingest;

/// <summary>Reads traceability fields (lot, strip, unit, die...) from a pair id with a regex's named groups.</summary>
public sealed class TracePattern(string pattern)
{
    private readonly Regex? _regex = string.IsNullOrWhiteSpace(pattern)
        ? null
        : new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromMilliseconds(50));

    /// <summary>
    /// The named groups that matched; empty when the id does not follow the pattern, or when matching it takes longer
    /// than the pattern's 50 ms budget (a pattern that backtracks on some long id: the pair is judged without trace fields).
    /// </summary>
    public IReadOnlyDictionary<string, string> Read(string pairId)
    {
        Match? match;
        try
        {
            match = _regex?.Match(pairId);
        }
        catch (RegexMatchTimeoutException)
        {
            // Found by fuzzing: the timeout escaped as an exception and failed the pair's ingest.
            return new Dictionary<string, string>();
        }

        if (match is not { Success: true })
        {
            return new Dictionary<string, string>();
        }

        return _regex!.GetGroupNames().Where(n => !int.TryParse(n, out _) && match.Groups[n].Success)
            .ToDictionary(n => n, n => match.Groups[n].Value);
    }
}
