using System.Globalization;
using CsCheck;

namespace EdgeAgent.Testing.Fuzzing;

/// <summary>
/// Runs one fuzz property (a CsCheck sample) for the time its target is given, counts the inputs it tried and
/// records the outcome in <see cref="FuzzSummary"/>. One test serves CI and a long run: without
/// <see cref="SecondsVariable"/> a target gets <see cref="CiSecondsPerTarget"/> seconds (the suite's bounded pass);
/// <c>scripts/fuzz.sh</c> sets it to run each target longer. A failing input is shrunk by CsCheck and thrown with
/// its seed (re-run with <c>CsCheck_Seed</c>); keep it as a named regression test.
/// </summary>
public static class Fuzz
{
    /// <summary>Seconds per target (split between its properties); unset in CI.</summary>
    public const string SecondsVariable = "EDGEAGENT_FUZZ_SECONDS";

    /// <summary>The CI pass: six targets at this many seconds keep the whole set well under a minute.</summary>
    public const int CiSecondsPerTarget = 3;

    /// <summary>Seconds one property of a target with <paramref name="properties"/> properties runs (at least one).</summary>
    public static int SecondsFor(int properties)
    {
        var perTarget = int.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0
            ? s
            : CiSecondsPerTarget;
        return Math.Max(1, perTarget / Math.Max(1, properties));
    }

    /// <summary>Samples <paramref name="gen"/> into <paramref name="assert"/> (which throws on a failure) for the property's share of the target's time.</summary>
    public static void Run<T>(FuzzTarget target, string property, Gen<T> gen, Action<T> assert, Func<T, string>? print = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(gen);
        long executions = 0;
        var failed = false;
        try
        {
            // One thread: the box running the suite is shared, and a property's failing input must not depend on timing.
            gen.Sample(
                input =>
                {
                    Interlocked.Increment(ref executions);
                    assert(input);
                },
                time: SecondsFor(target.Properties),
                threads: 1,
                print: print);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            FuzzSummary.Record(target.Name, property, Interlocked.Read(ref executions), failed ? 1 : 0);
        }
    }

    /// <summary>As <see cref="Run{T}"/> for a property that awaits (a request to a real server).</summary>
    public static async Task RunAsync<T>(FuzzTarget target, string property, Gen<T> gen, Func<T, Task> assert, Func<T, string>? print = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(gen);
        long executions = 0;
        var failed = false;
        try
        {
            await gen.SampleAsync(
                async input =>
                {
                    Interlocked.Increment(ref executions);
                    await assert(input).ConfigureAwait(false);
                },
                time: SecondsFor(target.Properties),
                threads: 1,
                print: print).ConfigureAwait(false);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            FuzzSummary.Record(target.Name, property, Interlocked.Read(ref executions), failed ? 1 : 0);
        }
    }
}

/// <summary>A fuzz target as <c>scripts/fuzz.sh</c> names it, and how many properties share its time.</summary>
/// <param name="Name">The name in the summary table and on fuzz.sh's command line (png, package, mqtt, naming, config, dashboard).</param>
/// <param name="Properties">How many properties (tests) the target has; each runs for its share of the target's seconds.</param>
public sealed record FuzzTarget(string Name, int Properties);
