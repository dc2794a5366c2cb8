using System.Text.Json.Serialization;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Drift;

/// <summary>
/// The control charts of one product under one model, as persisted after the calibration window closes and with every
/// event (and every few hundred pairs), so a restart resumes them instead of learning a new reference from pairs
/// that may already have drifted. A different model (activation, rollback) starts a new window.
/// </summary>
/// <param name="Product">The product.</param>
/// <param name="Model">The model its verdicts carried when the window was learned.</param>
/// <param name="Charts">One chart per <see cref="DriftSeries"/>.</param>
/// <param name="Since">When the window started.</param>
public sealed record ProductDrift(string Product, ModelRef? Model, IReadOnlyList<EwmaChart> Charts, DateTimeOffset Since)
{
    /// <summary>The charts beyond a limit now.</summary>
    [JsonIgnore]
    public IEnumerable<EwmaChart> Alarms => Charts.Where(c => c.Alarm);

    /// <summary>The chart of <paramref name="series"/>, empty when this record predates the series.</summary>
    public EwmaChart Chart(string series) => Charts.FirstOrDefault(c => c.Series == series) ?? EwmaChart.Empty(series);
}
