using System.Globalization;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Data;

/// <summary>
/// The filter in a page's or API call's query string, as a supervisor typed it: <c>since</c> / <c>until</c>
/// (<c>2h</c>, <c>7d</c> or ISO; <c>since</c> defaults to the last 24 h, empty means no bound), <c>product</c>,
/// <c>verdict</c>, <c>min</c> / <c>max</c> score, <c>limit</c> (rows per page, at most <see cref="MaxLimit"/>) and
/// <c>before</c> (the page after the one ending at that sequence number). Mistakes are collected, not thrown.
/// </summary>
public sealed class DashboardFilter
{
    /// <summary>Most rows one page or API call returns.</summary>
    public const int MaxLimit = 500;

    /// <summary>The time range shown when the address names none: today's work.</summary>
    public const string DefaultSince = "24h";

    private static readonly string[] Keys = ["since", "until", "product", "verdict", "min", "max", "limit", "shadow"];
    private readonly Dictionary<string, string> _given = new(StringComparer.Ordinal);

    private DashboardFilter()
    {
    }

    /// <summary>The log query (one page of it).</summary>
    public VerdictQuery Query { get; private set; } = new();

    /// <summary>What could not be understood; the query leaves those filters out.</summary>
    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>The value given for <paramref name="key"/> (for the form), or the default.</summary>
    public string this[string key] => _given.GetValueOrDefault(key) ?? (key == "since" ? DefaultSince : "");

    /// <summary>Parses the request's query string; relative times count back from <paramref name="now"/>.</summary>
    public static DashboardFilter Parse(IQueryCollection query, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new DashboardFilter();
        foreach (var key in Keys.Append("before"))
        {
            if (query.TryGetValue(key, out var value))
            {
                filter._given[key] = value.ToString().Trim();
            }
        }

        var errors = new List<string>();
        string? Text(string key) => filter[key] is { Length: > 0 } v ? v : null;
        DateTimeOffset? Time(string key) => Text(key) is not { } t ? null
            : RelativeTime.Parse(t, now) ?? Error<DateTimeOffset?>(errors, $"{key} must be like 2h, 30m, 7d or an ISO time {RelativeTime.Range}, not '{t}'");
        double? Score(string key) => Text(key) is not { } t ? null
            : double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s) ? s : Error<double?>(errors, $"{key} score must be a number, not '{t}'");
        VerdictKind? Outcome() => Text("verdict") is not { } t ? null
            : Enum.TryParse<VerdictKind>(t, ignoreCase: true, out var k) && Enum.IsDefined(k) && !char.IsDigit(t[0]) ? k : Error<VerdictKind?>(errors, $"verdict must be OK, NG, REVIEW or ERROR, not '{t}'");
        int limit = Text("limit") is not { } l ? 100
            : int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit ? n : Error<int?>(errors, $"limit must be 1 to {MaxLimit}, not '{l}'") ?? 100;
        long? before = Text("before") is not { } b ? null
            : long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : Error<long?>(errors, $"before must be a sequence number, not '{b}'");
        ShadowFilter? Shadow() => Text("shadow") is not { } t ? null
            : Enum.GetValues<ShadowFilter>().Cast<ShadowFilter?>().FirstOrDefault(f => ShadowLabels.Of(f!.Value) == t.ToLowerInvariant())
              ?? Error<ShadowFilter?>(errors, $"shadow must be agree, ok-to-ng, ng-to-ok, disagree or undecided, not '{t}'");
        filter.Query = new VerdictQuery(Time("since"), Time("until"), Outcome(), Text("product"), limit, Score("min"), Score("max"), before, Shadow());
        filter.Errors = errors;
        return filter;
    }

    /// <summary>The same filter as a query string (without paging), e.g. for the CSV export link; <paramref name="before"/> adds a page.</summary>
    public string ToQueryString(long? before = null)
    {
        var pairs = Keys.Where(k => _given.ContainsKey(k)).Select(k => KeyValuePair.Create(k, (string?)_given[k])).ToList();
        if (before is { } b)
        {
            pairs.Add(KeyValuePair.Create("before", (string?)b.ToString(CultureInfo.InvariantCulture)));
        }

        return QueryString.Create(pairs).ToUriComponent();
    }

    private static T? Error<T>(List<string> errors, string message)
    {
        errors.Add(message);
        return default;
    }
}
