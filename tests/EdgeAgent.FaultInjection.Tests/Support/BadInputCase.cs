using EdgeAgent.Verdicts;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>One bad input, the outcome README documents for it, and the check of what actually happened.</summary>
public sealed class BadInputCase
{
    private readonly Func<Verdict, string?> _extra;

    private BadInputCase(string name, string input, string imagePath, string expected, bool judged, Func<Verdict, string?> extra)
    {
        Name = name;
        Input = input;
        ImagePath = imagePath;
        Expected = expected;
        ExpectsVerdict = judged;
        _extra = extra;
    }

    public string Name { get; }

    public string Input { get; }

    public string ImagePath { get; }

    public string Expected { get; }

    /// <summary>False for inputs that must produce no verdict and no journal record at all.</summary>
    public bool ExpectsVerdict { get; }

    /// <summary>ERROR with <paramref name="reason"/>.</summary>
    public static BadInputCase Error(string name, string input, string imagePath, string reason) =>
        new(name, input, imagePath, $"ERROR {reason}", true, v => v.Outcome == VerdictKind.Error && v.Reason == reason ? null : "");

    /// <summary>Judged like any good pair (OK or NG), plus <paramref name="extra"/> (null = fine).</summary>
    public static BadInputCase Judged(string name, string input, string imagePath, Func<Verdict, string?> extra) =>
        new(name, input, imagePath, "OK/NG", true, v => v.Outcome is VerdictKind.Ok or VerdictKind.Ng ? extra(v) : "");

    /// <summary>Never a pair: no verdict, no record.</summary>
    public static BadInputCase Ignored(string name, string input, string imagePath) =>
        new(name, input, imagePath, "no verdict", false, _ => "");

    /// <summary>Null when the case behaved as documented, else what happened instead.</summary>
    public string? Check(IReadOnlyList<Verdict> verdicts, IReadOnlyList<JournalRecord> records)
    {
        if (!ExpectsVerdict)
        {
            return verdicts.Count == 0 && records.Count == 0 ? null : $"{Name}: expected no verdict, got {verdicts.Count} verdicts and {records.Count} records";
        }

        if (verdicts.Count != 1 || records.Count != 1)
        {
            return $"{Name}: expected one verdict and one record, got {verdicts.Count} and {records.Count}";
        }

        var v = verdicts[0];
        return _extra(v) switch
        {
            null => null,
            "" => $"{Name}: expected {Expected}, got {v.Outcome} {v.Reason} ({v.Detail})",
            var why => $"{Name}: {why}",
        };
    }
}
