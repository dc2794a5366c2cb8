using System.Text.Json;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Core.Tests.Decisions;

/// <summary>The decision payload is a contract with the line's consumers: a renamed field must fail here first.</summary>
public sealed class DecisionSchemaTests
{
    private const string SchemaOne = """{"schema":"edgeagent.decision/1","id":"01JDZ0000000000000000000AB","decisionId":"01JDZ0000000000000000000CD","pairId":"L0001_S01_U001_D01","product":"UBM","aiVerdict":"REVIEW","aiReason":"OUT_OF_DISTRIBUTION","aiScore":1.25,"decision":"NG","defectClass":"scratch","comment":"edge","by":"alice","role":"operator","at":"2026-12-07T10:00:00+00:00","judgedAt":"2026-12-07T09:00:00+00:00","override":false,"station":{"site":"s","area":"a","line":"l","station":"st"}}""";

    [Fact]
    public void Serialize_Decision_WritesExactlyTheDocumentedFields()
    {
        var json = JsonSerializer.Serialize(Decision(), DecisionJsonContext.Default.OperatorDecision);

        Assert.Equal(SchemaOne, json);
    }

    [Fact]
    public void Deserialize_StoredPayload_ReadsBackTheSameDecision()
    {
        var read = JsonSerializer.Deserialize(SchemaOne, DecisionJsonContext.Default.OperatorDecision);

        Assert.Equal(Decision(), read);
    }

    [Fact]
    public void SpotCheck_PicksAboutTheConfiguredShareAndTheSameIdsEveryTime()
    {
        var ids = Enumerable.Range(0, 20_000).Select(i => $"01JDZ{i:D21}").ToList();

        var picked = ids.Count(id => SpotCheck.Picks(id, 0.05));

        Assert.InRange(picked, 850, 1150);
        Assert.Equal(ids.Where(id => SpotCheck.Picks(id, 0.05)), ids.Where(id => SpotCheck.Picks(id, 0.05)));
        Assert.DoesNotContain(ids, id => SpotCheck.Picks(id, 0));
        Assert.All(ids.Take(100), id => Assert.True(SpotCheck.Picks(id, 1)));
    }

    private static OperatorDecision Decision() => new()
    {
        Id = "01JDZ0000000000000000000AB",
        DecisionId = "01JDZ0000000000000000000CD",
        PairId = "L0001_S01_U001_D01",
        Product = "UBM",
        AiVerdict = VerdictKind.Review,
        AiReason = "OUT_OF_DISTRIBUTION",
        AiScore = 1.25,
        Decision = VerdictKind.Ng,
        DefectClass = "scratch",
        Comment = "edge",
        By = "alice",
        Role = "operator",
        At = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero),
        JudgedAt = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero),
        Station = new StationIdentity("s", "a", "l", "st"),
    };
}
