using System.Globalization;
using Xunit.Abstractions;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>
/// The suite's result table: one row per scenario, printed to the test output and appended to
/// <c>fault-summary.txt</c> next to the test assembly (scripts/test.sh prints that file). The file is
/// started afresh, header first, by the first row of each test run.
/// </summary>
public static class FaultSummary
{
    public const string Header = "scenario                                  pairs   lost  dup-by-id   time s  outcome";

    private static readonly Lock Gate = new();

    static FaultSummary() => File.WriteAllText(FilePath, Header + "\n");

    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "fault-summary.txt");

    /// <summary>Prints and records one row.</summary>
    public static void Report(ITestOutputHelper output, string scenario, int pairs, int lost, int duplicates, TimeSpan elapsed, string outcome)
    {
        ArgumentNullException.ThrowIfNull(output);
        var row = string.Create(CultureInfo.InvariantCulture, $"{scenario,-40} {pairs,6} {lost,6} {duplicates,10} {elapsed.TotalSeconds,8:F1}  {outcome}");
        output.WriteLine(Header);
        output.WriteLine(row);
        lock (Gate)
        {
            File.AppendAllText(FilePath, row + "\n");
        }
    }
}
