using System.Diagnostics.Metrics;

namespace EdgeAgent.Core.Tests.Telemetry;

/// <summary>An <see cref="IMeterFactory"/> of its own per test, so parallel tests never read each other's meters.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        _meters.Add(meter);
        return meter;
    }

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
