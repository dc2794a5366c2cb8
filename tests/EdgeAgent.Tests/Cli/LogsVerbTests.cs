using EdgeAgent.Host.Cli;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Tests.Cli;

/// <summary><c>edgeagent logs</c> as a real process: times at the ends of the calendar are a usage mistake (exit 64, one line), never an abort.</summary>
[Trait("Category", "Integration")]
public sealed class LogsVerbTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Theory]
    [InlineData("--since", "0001-01-01")]
    [InlineData("--until", "9999-12-31")]
    [InlineData("--since", "0001-01-01", "--stats")]
    [InlineData("--until", "9999-12-31T23:59:59Z", "--stats")]
    [InlineData("--since", "0001-01-01", "--decisions")]
    public void Logs_ExtremeDate_ExitsWithUsageErrorNamingTheBounds(params string[] options)
    {
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            log.Append([(new Verdict
            {
                Id = "01A",
                Seq = 0,
                PairId = "P01A",
                Product = "UBM",
                Image = new SourceFile("/aoi/01A", null),
                Outcome = VerdictKind.Ok,
                TimingsMs = new Timings(0, 0, 0, 0, 0),
                Station = new StationIdentity("s", "a", "l", "st"),
                JudgedAt = DateTimeOffset.UtcNow,
            }, "k1")]);
        }

        var (code, _, stderr) = AgentProcess.Run(["logs", "--data-dir", data, .. options]);

        Assert.True(code == Verbs.UsageError, $"exit {code}: {stderr}");
        Assert.Contains($"must be like 2h, 30m, 7d or an ISO time between 1970-01-01 and 2999-12-31, not '{options[1]}'", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
