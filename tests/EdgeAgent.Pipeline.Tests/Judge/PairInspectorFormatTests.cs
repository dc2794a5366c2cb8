using EdgeAgent.Pipeline.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Pipeline.Tests.Judge;

/// <summary>The AOI may write any of the common formats; each must be judged, not rejected.</summary>
public sealed class PairInspectorFormatTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>, IDisposable
{
    private readonly TempFolder _temp = new();

    [Theory]
    [InlineData("png")]
    [InlineData("bmp")]
    [InlineData("jpg")]
    [InlineData("tif")]
    public void Inspect_PairInFormat_IsJudgedWithTrustedAlignment(string extension)
    {
        var truth = SyntheticDataset.Write(_temp.Path, new SyntheticDatasetOptions { Count = 1, NgFraction = 0, Seed = 11, Extension = extension })[0];

        var verdict = fixture.Inspector.Inspect(InspectorFixture.Candidate(Path.Combine(_temp.Path, truth.ImagePath), Path.Combine(_temp.Path, truth.TemplatePath)));

        Assert.Contains(verdict.Outcome, new[] { VerdictKind.Ok, VerdictKind.Ng });
        Assert.Equal(truth.Dx, verdict.Alignment!.Dx, 0.5);
        Assert.Equal(truth.Dy, verdict.Alignment.Dy, 0.5);
    }

    public void Dispose() => _temp.Dispose();
}
