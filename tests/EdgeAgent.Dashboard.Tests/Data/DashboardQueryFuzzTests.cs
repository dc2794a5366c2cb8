using System.Net;
using System.Text;
using CsCheck;
using EdgeAgent.Dashboard.Data;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Decisions;
using EdgeAgent.Testing.Fuzzing;
using EdgeAgent.Verdicts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace EdgeAgent.Dashboard.Tests.Data;

/// <summary>
/// Fuzz target <c>dashboard</c>: query strings as anyone who reaches the dashboard can type them. The parsers
/// (<see cref="DashboardFilter"/>, <see cref="KpiRange"/>, <see cref="AuditPaging"/>) return a value and their list of
/// mistakes, never throw, and a filter written back as a query string reads back the same; and every page and API
/// call of a real dashboard server over a real log answers them without a 500.
/// </summary>
[Trait("Category", "Fuzz")]
[Trait("FuzzTarget", "dashboard")]
public sealed class DashboardQueryFuzzTests : IAsyncLifetime
{
    private static readonly FuzzTarget Target = new("dashboard", Properties: 2);

    private static readonly string[] Keys =
        ["since", "until", "product", "verdict", "min", "max", "limit", "shadow", "before", "calendar", "from", "to", "decided", "return", "token", "page"];

    private static readonly string[] Paths =
        ["/", "/api/verdicts", "/api/stats", "/export.csv", "/kpis", "/api/kpis", "/models", "/api/models", "/review", "/labels.zip", "/drift/UBM", "/drift/%00", "/verdicts/a", "/api/verdicts/a", "/verdicts/a/image.png", "/login", "/api/health"];

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 30, 0, TimeSpan.Zero);

    private DashboardRig _rig = null!;

    /// <summary>Query parameters: known keys (and made-up ones) with hostile values, repeated keys included.</summary>
    private static Gen<(string Key, string Value)[]> Parameters { get; } =
        Gen.Select(Gen.Frequency((6, Gen.Int[0, Keys.Length - 1].Select(i => Keys[i])), (1, FuzzStrings.Any(2))), FuzzStrings.Any(4)).Array[0, 8];

    public async Task InitializeAsync()
    {
        _rig = await DashboardRig.StartAsync(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now));
        _rig.Log.Append([(VerdictBuilder.Make("a", VerdictKind.Ok, Now.AddHours(-1), "UBM", 0.4), "k1"), (VerdictBuilder.Make("b", VerdictKind.Ng, Now.AddHours(-2), "UBM", 0.9), "k2")]);
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public void Parse_AnyQuery_ValueAndMistakesThatReadBackTheSame()
    {
        var gen = Gen.Select(Parameters, Gen.Long[new DateTimeOffset(1971, 1, 1, 0, 0, 0, TimeSpan.Zero).Ticks, new DateTimeOffset(2998, 1, 1, 0, 0, 0, TimeSpan.Zero).Ticks]);
        Fuzz.Run(Target, "parsers", gen, t =>
        {
            var (parameters, ticks) = t;
            var now = new DateTimeOffset(ticks, TimeSpan.Zero);
            var query = QueryOf(parameters);

            var filter = DashboardFilter.Parse(query, now);
            Assert.InRange(filter.Query.Limit, 1, DashboardFilter.MaxLimit);
            var again = DashboardFilter.Parse(new QueryCollection(QueryHelpers.ParseQuery(filter.ToQueryString(filter.Query.BeforeSeq))), now);
            Assert.Equal(filter.Query, again.Query);
            // A "before" that could not be read is not written back (the link carries the page it asks for, if any).
            Assert.Equal(filter.Errors.Where(e => !e.StartsWith("before ", StringComparison.Ordinal)), again.Errors);

            var range = KpiRange.Parse(query, now);
            Assert.True(range.From <= range.To && range.Days.Count <= KpiDays.MaxDays, $"{range.From}..{range.To}");

            var (before, error) = AuditPaging.Parse(query);
            Assert.True(before is null || before > 0);
            Assert.True(before is null || error is null);
        }, t => Print(t.Item1) + $" at {new DateTimeOffset(t.Item2, TimeSpan.Zero):o}");
    }

    [Fact]
    public async Task Server_AnyQueryOnAnyPage_AnsweredWithoutA500()
    {
        // Warmed up first, so the short CI pass spends its second on queries, not on the server's first request.
        (await _rig.Http.GetAsync(new Uri("/", UriKind.Relative))).Dispose();
        var gen = Gen.Select(Gen.Int[0, Paths.Length - 1], Parameters, Gen.Bool);
        await Fuzz.RunAsync(Target, "server", gen, async t =>
        {
            var (path, parameters, raw) = t;
            var uri = new Uri(_rig.Http.BaseAddress!, Paths[path] + "?" + (raw ? RawQuery(parameters) : QueryString.Create(parameters.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).ToUriComponent().TrimStart('?')));
            using var response = await _rig.Http.GetAsync(uri);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500 || response.StatusCode == HttpStatusCode.ServiceUnavailable, $"GET {uri.PathAndQuery}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 400)]}");
        }, t => $"{Paths[t.Item1]} raw {t.Item3} " + Print(t.Item2));
    }

    // As the server would see them: a URL carries UTF-8, so a lone surrogate arrives as U+FFFD.
    private static QueryCollection QueryOf((string Key, string Value)[] parameters) =>
        new(parameters.GroupBy(p => Utf8(p.Key), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => new Microsoft.Extensions.Primitives.StringValues([.. g.Select(p => Utf8(p.Value))]), StringComparer.OrdinalIgnoreCase));

    private static string Utf8(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    // Bytes percent-encoded one by one, except what a browser sends as it is; '%' left raw now and then, as typed.
    private static string RawQuery((string Key, string Value)[] parameters) =>
        string.Join("&", parameters.Select(p => Encode(p.Key) + "=" + Encode(p.Value)));

    private static string Encode(string text) =>
        string.Concat(Encoding.UTF8.GetBytes(text).Select(b => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)':' or (byte)',' ? ((char)b).ToString() : $"%{b:X2}"));

    private static string Print((string Key, string Value)[] parameters) =>
        string.Join("&", parameters.Select(p => $"{Escape(p.Key)}={Escape(p.Value)}"));

    private static string Escape(string text) =>
        $"({text.Length}) " + string.Concat(text.Take(100).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
