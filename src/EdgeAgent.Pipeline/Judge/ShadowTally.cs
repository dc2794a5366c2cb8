using EdgeAgent.Verdicts;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// How each product's shadow compares with the models in service since the agent started: agreements, the two
/// ways of disagreeing (service OK → shadow NG, service NG → shadow OK), pairs it could not judge and pairs it
/// skipped because the line was busy, and both score distributions on the common scale (score / threshold, so the
/// two models' scales compare). Thread-safe.
/// </summary>
public sealed class ShadowTally
{
    /// <summary>Histogram bins over score / threshold from 0 to 2 (the last bin also counts everything above).</summary>
    public const int Bins = 20;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Counts> _byProduct = new(StringComparer.Ordinal);

    /// <summary>Counts a verdict that carries a shadow judgement.</summary>
    public void Record(Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (verdict.Shadow is not { } shadow)
        {
            return;
        }

        lock (_gate)
        {
            var counts = CountsOf(verdict.Product, shadow.Name, shadow.Version);
            var (service, theirs) = (verdict.Outcome, shadow.Outcome);
            if (service is not (VerdictKind.Ok or VerdictKind.Ng) || theirs is not (VerdictKind.Ok or VerdictKind.Ng))
            {
                counts.Undecided++;
                return;
            }

            if (service == theirs)
            {
                counts.Agree++;
            }
            else if (service == VerdictKind.Ok)
            {
                counts.OkToNg++;
            }
            else
            {
                counts.NgToOk++;
            }

            counts.Service[Bin(verdict.Score!.Value / verdict.Threshold!.Value)]++;
            counts.Shadow[Bin(shadow.Score!.Value / shadow.Threshold)]++;
        }
    }

    /// <summary>Counts pairs of <paramref name="product"/> the shadow skipped because the box was saturated.</summary>
    public void Skipped(string product, string model, string version, int pairs)
    {
        lock (_gate)
        {
            CountsOf(product, model, version).Skipped += pairs;
        }
    }

    /// <summary>Every product's counts so far.</summary>
    public IReadOnlyList<ShadowSummary> Summaries()
    {
        lock (_gate)
        {
            return [.. _byProduct.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new ShadowSummary(
                p.Key, p.Value.Model, p.Value.Version, p.Value.Agree, p.Value.OkToNg, p.Value.NgToOk, p.Value.Undecided, p.Value.Skipped,
                [.. p.Value.Service], [.. p.Value.Shadow]))];
        }
    }

    private Counts CountsOf(string product, string model, string version)
    {
        if (!_byProduct.TryGetValue(product, out var counts) || counts.Model != model || counts.Version != version)
        {
            // A new shadow for the product starts from zero: its figures must not mix with its predecessor's.
            counts = new Counts(model, version);
            _byProduct[product] = counts;
        }

        return counts;
    }

    private static int Bin(double normalised) => double.IsFinite(normalised) ? Math.Clamp((int)(normalised * Bins / 2), 0, Bins - 1) : Bins - 1;

    private sealed class Counts(string model, string version)
    {
        public string Model { get; } = model;

        public string Version { get; } = version;

        public long Agree { get; set; }

        public long OkToNg { get; set; }

        public long NgToOk { get; set; }

        public long Undecided { get; set; }

        public long Skipped { get; set; }

        public long[] Service { get; } = new long[Bins];

        public long[] Shadow { get; } = new long[Bins];
    }
}

/// <summary>One product's shadow figures; histograms have <see cref="ShadowTally.Bins"/> bins of score / threshold over [0, 2].</summary>
public sealed record ShadowSummary(
    string Product,
    string Model,
    string Version,
    long Agree,
    long OkToNg,
    long NgToOk,
    long Undecided,
    long Skipped,
    IReadOnlyList<long> ServiceHistogram,
    IReadOnlyList<long> ShadowHistogram)
{
    /// <summary>Pairs both judged OK or NG.</summary>
    public long Compared => Agree + OkToNg + NgToOk;

    /// <summary>Share of compared pairs on which they agree (null before the first).</summary>
    public double? Agreement => Compared == 0 ? null : Math.Round((double)Agree / Compared, 4);
}

/// <summary>The retained message on <c>…/shadow</c> (schema <c>edgeagent.shadow/1</c>): every product's shadow figures since the agent started.</summary>
public sealed record ShadowReport(DateTimeOffset At, IReadOnlyList<ShadowSummary> Products)
{
    /// <summary>Schema name and version.</summary>
    public string Schema { get; init; } = "edgeagent.shadow/1";
}

/// <summary>Source-generated JSON for <see cref="ShadowReport"/>.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ShadowReport))]
public sealed partial class ShadowJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
