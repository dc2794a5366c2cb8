using EdgeAgent.Score;

namespace EdgeAgent.Core.Tests.Score;

public sealed class CombinationTests
{
    private static readonly MemberScore Ng = new(3, 2, IsGate: false);      // 1.5 on the common scale
    private static readonly MemberScore Ok = new(1, 2, IsGate: false);      // 0.5
    private static readonly MemberScore GateOk = new(0.2, 0.5, IsGate: true); // 0.4
    private static readonly MemberScore GateNg = new(0.9, 0.5, IsGate: true); // 1.8

    [Theory]
    [InlineData(CombinePolicy.AnyNg, true, 1.5)]
    [InlineData(CombinePolicy.AllNg, false, 0.5)]
    [InlineData(CombinePolicy.Vote, false, 0.5)] // one of two is no majority
    public void Combine_OneNgOneOk_ScoreOnTheCommonScaleAgreesWithTheVerdict(CombinePolicy policy, bool ng, double score)
    {
        var (combined, isNg) = Combination.Combine(policy, [Ng, Ok]);

        Assert.Equal((ng, score), (isNg, combined));
        Assert.Equal(isNg, combined >= 1);
    }

    [Fact]
    public void Vote_TwoOfThree_IsNg()
    {
        Assert.True(Combination.Combine(CombinePolicy.Vote, [Ng, Ng, Ok]).Ng);
    }

    [Fact]
    public void Gate_ClassifierOk_SuppressesEvenAConfidentSegmenter()
    {
        var (score, ng) = Combination.Combine(CombinePolicy.Gate, [GateOk, Ng]);

        Assert.False(ng);
        Assert.Equal(0.4, score, 6);
    }

    [Fact]
    public void Gate_ClassifierNg_TheSegmenterDecides()
    {
        Assert.Equal((1.5, true), Combination.Combine(CombinePolicy.Gate, [GateNg, Ng]));
        Assert.Equal((0.5, false), Combination.Combine(CombinePolicy.Gate, [GateNg, Ok]));
    }

    [Theory]
    [InlineData("any-ng", CombinePolicy.AnyNg)]
    [InlineData("GATE", CombinePolicy.Gate)]
    [InlineData(" vote ", CombinePolicy.Vote)]
    public void Parse_ConfigurationNames(string name, CombinePolicy expected) => Assert.Equal(expected, Combination.Parse(name));

    [Fact]
    public void Parse_UnknownName_IsNull() => Assert.Null(Combination.Parse("majority"));
}
