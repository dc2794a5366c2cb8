using EdgeAgent.Verdicts;

namespace EdgeAgent.Drift;

/// <summary>
/// The control rule: per product and <see cref="DriftSeries"/>, an EWMA chart against the product's calibration
/// window (its first <see cref="DriftOptions.Window"/> values under the model in service). It reads verdicts after
/// they are stored and never changes one. Not thread-safe: one caller (the journal's writer) feeds it;
/// <see cref="Alarms"/> is a snapshot any thread may read.
/// </summary>
public sealed class DriftDetector
{
    // Persist a product's charts this often even without an event, so a restart loses at most this much progress.
    private const int SaveEvery = 200;

    private readonly DriftOptions _options;
    private readonly StationIdentity _station;
    private readonly VerdictIdGenerator _ids;
    private readonly Dictionary<string, ProductDrift> _products = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _unsaved = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<DriftAlarm> _alarms = [];

    /// <summary>A detector resuming the persisted <paramref name="restored"/> charts.</summary>
    public DriftDetector(DriftOptions options, StationIdentity station, VerdictIdGenerator ids, IEnumerable<ProductDrift> restored)
    {
        ArgumentNullException.ThrowIfNull(restored);
        (_options, _station, _ids) = (options, station, ids);
        foreach (var product in restored)
        {
            _products[product.Product] = product;
        }

        PublishAlarms();
    }

    /// <summary>Products' series beyond their limits now.</summary>
    public IReadOnlyList<DriftAlarm> Alarms => _alarms;

    /// <summary>
    /// Feeds stored verdicts (ERROR verdicts are skipped: their input was unusable). Returns the events raised and the
    /// products whose charts should be persisted now (window closed, event raised, or due), and which products
    /// started a new window because their model changed.
    /// </summary>
    public DriftStep Observe(IReadOnlyList<Verdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var events = new List<DriftEvent>();
        var save = new HashSet<string>(StringComparer.Ordinal);
        var relearn = new List<(string Product, ModelRef? From, ModelRef? To)>();
        foreach (var verdict in verdicts.Where(v => v.Outcome != VerdictKind.Error))
        {
            var current = _products.GetValueOrDefault(verdict.Product);
            if (current is null || current.Model?.Sha256 != verdict.Model?.Sha256)
            {
                if (current is not null)
                {
                    relearn.Add((verdict.Product, current.Model, verdict.Model));
                }

                current = new ProductDrift(verdict.Product, verdict.Model, [.. DriftSeries.All.Select(s => EwmaChart.Empty(s.Name))], verdict.JudgedAt);
                save.Add(verdict.Product);
            }

            var (next, raised, closed) = Step(current, verdict);
            _products[verdict.Product] = next;
            events.AddRange(raised);
            var unsaved = _unsaved.GetValueOrDefault(verdict.Product) + 1;
            if (raised.Count > 0 || closed || unsaved >= SaveEvery)
            {
                save.Add(verdict.Product);
            }

            _unsaved[verdict.Product] = unsaved;
        }

        foreach (var product in save)
        {
            _unsaved[product] = 0;
        }

        PublishAlarms();
        return new DriftStep(events, [.. save.Select(p => _products[p])], relearn);
    }

    /// <summary>The charts of every product seen.</summary>
    public IReadOnlyList<ProductDrift> Products => [.. _products.Values];

    private (ProductDrift Next, List<DriftEvent> Raised, bool Closed) Step(ProductDrift product, Verdict verdict)
    {
        var raised = new List<DriftEvent>();
        var closed = false;
        var charts = new List<EwmaChart>(DriftSeries.All.Count);
        foreach (var series in DriftSeries.All)
        {
            var chart = product.Chart(series.Name);
            if (series.Read(verdict) is not { } value)
            {
                charts.Add(chart);
                continue;
            }

            var wasCalibrated = chart.Calibrated(_options.Window);
            var (next, up) = chart.Observe(value, _options);
            closed |= !wasCalibrated && next.Calibrated(_options.Window);
            if (up)
            {
                next = next with { AlarmAt = verdict.JudgedAt };
                raised.Add(new DriftEvent
                {
                    Id = _ids.Next(),
                    Product = product.Product,
                    Series = series.Name,
                    Value = Math.Round(next.Ewma, 6),
                    Limit = Math.Round(next.CrossedLimit(_options), 6),
                    Reference = Math.Round(next.Mean, 6),
                    Sigma = Math.Round(next.Sigma, 6),
                    Pairs = next.Pairs,
                    Model = product.Model,
                    At = verdict.JudgedAt,
                    Station = _station,
                });
            }

            charts.Add(next);
        }

        return (product with { Charts = charts }, raised, closed);
    }

    private void PublishAlarms() => _alarms = [.. _products.Values.SelectMany(p => p.Alarms.Select(c => new DriftAlarm(p.Product, c.Series, c.Ewma, c.CrossedLimit(_options), c.Mean, c.AlarmAt)))
        .OrderBy(a => a.Product, StringComparer.Ordinal).ThenBy(a => a.Series, StringComparer.Ordinal)];
}

/// <summary>What one <see cref="DriftDetector.Observe"/> call produced.</summary>
/// <param name="Events">Events raised, to store and publish.</param>
/// <param name="Save">Products whose charts to persist now.</param>
/// <param name="Relearned">Products that started a new calibration window because their model changed.</param>
public sealed record DriftStep(IReadOnlyList<DriftEvent> Events, IReadOnlyList<ProductDrift> Save, IReadOnlyList<(string Product, ModelRef? From, ModelRef? To)> Relearned);

/// <summary>A product's series beyond its control limit.</summary>
public sealed record DriftAlarm(string Product, string Series, double Value, double Limit, double Reference, DateTimeOffset? Since);
