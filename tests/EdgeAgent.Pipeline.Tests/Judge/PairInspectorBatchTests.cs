using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Pipeline.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Pipeline.Tests.Judge;

/// <summary>
/// Judging pairs in one batched model run gives each pair exactly the score it gets alone, in the batch's
/// order, with its own id; a pair decided before the model (bad input) rides along untouched.
/// </summary>
public sealed class PairInspectorBatchTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>, IDisposable
{
    private readonly TempFolder _temp = new("edgeagent-batch-");

    [Fact]
    public void Judge_SixPairsInBatchesOfFourAndTwo_ScoresIdenticalToOneAtATimeOrderAndIdsKept()
    {
        var truths = SyntheticDataset.Write(_temp.Path, new SyntheticDatasetOptions { Count = 5, NgFraction = 0.4, Seed = 41, Size = 352 });
        var candidates = truths.Select(t => InspectorFixture.Candidate(Path.Combine(_temp.Path, t.ImagePath), Path.Combine(_temp.Path, t.TemplatePath), t.Product) with { VerdictId = "id-" + t.Id })
            .Prepend(InspectorFixture.Candidate(Path.Combine(_temp.Path, "missing_image.png"), null) with { VerdictId = "id-missing" })
            .ToList();
        var alone = candidates.Select(c => fixture.Inspector.Inspect(c)).ToList();
        using var batched = InspectorFixture.Create(fixture.Model, new Dictionary<string, ProductSettings>(), maxBatch: 4);

        var prepared = candidates.Select(c => batched.Prepare(c)).ToList();
        var verdicts = batched.Judge(prepared[..4]).Concat(batched.Judge(prepared[4..])).ToList();
        prepared.ForEach(p => p.Dispose());

        Assert.Equal(candidates.Select(c => c.VerdictId), verdicts.Select(v => v.Id));
        for (var i = 0; i < candidates.Count; i++)
        {
            Assert.Equal((alone[i].Outcome, alone[i].Reason), (verdicts[i].Outcome, verdicts[i].Reason));
            Assert.Equal(alone[i].Score is null, verdicts[i].Score is null);
            Assert.InRange(Math.Abs((alone[i].Score ?? 0) - (verdicts[i].Score ?? 0)), 0, 1e-5);
        }

        Assert.Equal(5, verdicts.Count(v => v.Score is not null));
    }

    [Fact]
    public async Task Judge_BatchesOnSeveralLanesAtOnce_EachPairScoredAsAlone()
    {
        var truths = SyntheticDataset.Write(_temp.Path, new SyntheticDatasetOptions { Count = 6, NgFraction = 0.5, Seed = 43, Size = 352 });
        var candidates = truths.Select(t => InspectorFixture.Candidate(Path.Combine(_temp.Path, t.ImagePath), Path.Combine(_temp.Path, t.TemplatePath), t.Product) with { VerdictId = "id-" + t.Id }).ToList();
        var alone = candidates.Select(c => fixture.Inspector.Inspect(c).Score).ToList();
        using var lanes = InspectorFixture.Create(fixture.Model, new Dictionary<string, ProductSettings>(), maxBatch: 2);
        var prepared = candidates.Select(c => lanes.Prepare(c)).ToList();

        // Three batches started together, five rounds, so the lanes really overlap and each reuses another's buffers.
        for (var round = 0; round < 5; round++)
        {
            using var start = new Barrier(3);
            var runs = Enumerable.Range(0, 3).Select(b => Task.Run(() =>
            {
                start.SignalAndWait();
                return lanes.Judge(prepared.Skip(b * 2).Take(2).ToList());
            })).ToList();
            var verdicts = (await Task.WhenAll(runs)).SelectMany(v => v).ToList();

            Assert.Equal(candidates.Select(c => c.VerdictId), verdicts.Select(v => v.Id));
            Assert.All(verdicts.Zip(alone), p => Assert.InRange(Math.Abs(p.First.Score!.Value - p.Second!.Value), 0, 1e-5));
        }

        prepared.ForEach(p => p.Dispose());
    }

    public void Dispose() => _temp.Dispose();
}
