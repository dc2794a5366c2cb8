using EdgeAgent.Testing;
using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>
/// Real generated AOI pairs (352 px, enough for the small model's 320 crop), written once per test run and
/// shared by every scenario: a 1,000-pair stream replays these under new pair ids.
/// </summary>
public sealed class StagedPairs : IDisposable
{
    /// <summary>Distinct generated pairs; streams longer than this reuse them under other ids.</summary>
    public const int Distinct = 250;

    private readonly TempFolder _folder = new();

    public StagedPairs()
    {
        Pairs = SyntheticDataset.Write(_folder.Path, new SyntheticDatasetOptions { Count = Distinct, Seed = 20261123, Size = 352, NgFraction = 0.3 });
    }

    /// <summary>The folder holding <c>&lt;product&gt;/&lt;id&gt;_image.png</c> and its template.</summary>
    public string Root => _folder.Path;

    public IReadOnlyList<SyntheticPairTruth> Pairs { get; }

    /// <summary>Writes extra pairs of another size (size mismatch, too small) into <paramref name="root"/>.</summary>
    public static IReadOnlyList<SyntheticPairTruth> WriteSized(string root, int size, int count) =>
        SyntheticDataset.Write(root, new SyntheticDatasetOptions { Count = count, Seed = size, Size = size, Products = ["X"] });

    public void Dispose() => _folder.Dispose();
}

/// <summary>Shares one <see cref="StagedPairs"/> across the scenario classes (generated once, about 3 s).</summary>
[CollectionDefinition(Name)]
public sealed class FaultInjectionCollection : ICollectionFixture<StagedPairs>
{
    public const string Name = "Fault injection";
}
