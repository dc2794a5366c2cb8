using EdgeAgent.Score;

namespace EdgeAgent.Core.Tests.Score;

public sealed class MaskSpecTests
{
    [Theory]
    [InlineData("none", MaskKind.None, 0)]
    [InlineData("centre:0.5", MaskKind.Centre, 0.5)]
    [InlineData("gaussian:0.25", MaskKind.Gaussian, 0.25)]
    public void Parse_ValidText_RoundTrips(string text, MaskKind kind, double parameter)
    {
        var mask = MaskSpec.Parse(text);

        Assert.Equal(new MaskSpec(kind, parameter), mask);
        Assert.Equal(text, mask.ToString());
    }

    [Theory]
    [InlineData("gauss:0.2")]
    [InlineData("gaussian")]
    [InlineData("centre:-1")]
    [InlineData("none:3")]
    public void Parse_InvalidText_ThrowsFormatException(string text) => Assert.Throws<FormatException>(() => MaskSpec.Parse(text));

    [Fact]
    public void Build_Centre_IsOneExactlyInsideTheCentredSquare()
    {
        var mask = MaskSpec.Parse("centre:0.5").Build(8); // c = 3.5, half side 2: x in [1.5, 5.5] → 2..5

        var insideColumns = Enumerable.Range(0, 8).Where(x => mask[(4 * 8) + x] == 1f).ToArray();

        Assert.Equal([2, 3, 4, 5], insideColumns);
    }
}
