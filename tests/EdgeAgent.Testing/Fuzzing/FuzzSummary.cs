using System.Globalization;

namespace EdgeAgent.Testing.Fuzzing;

/// <summary>
/// The fuzz result rows of one test run: <c>fuzz-summary.txt</c> next to the test assembly, one row per property
/// (target, property, executions, failures), started afresh by the first row of each run. <c>scripts/fuzz.sh</c>
/// and <c>scripts/test.sh</c> gather the files of every test project and print them per target.
/// </summary>
public static class FuzzSummary
{
    /// <summary>The columns of every row, tab-separated.</summary>
    public const string Header = "target\tproperty\texecutions\tfailures";

    private static readonly Lock Gate = new();

    static FuzzSummary() => File.WriteAllText(FilePath, Header + "\n");

    /// <summary>Where this test assembly's rows go.</summary>
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "fuzz-summary.txt");

    /// <summary>Appends one property's row.</summary>
    public static void Record(string target, string property, long executions, int failures)
    {
        var row = string.Create(CultureInfo.InvariantCulture, $"{target}\t{property}\t{executions}\t{failures}");
        lock (Gate)
        {
            File.AppendAllText(FilePath, row + "\n");
        }
    }
}
