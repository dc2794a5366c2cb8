using EdgeAgent.Security;

namespace EdgeAgent.Core.Tests.Security;

public sealed class ForeignTextTests
{
    [Fact]
    public void Clip_ShortPlainText_ReturnedAsIs()
    {
        const string Text = "technician-7";

        Assert.Same(Text, ForeignText.Clip(Text));
    }

    [Fact]
    public void Clip_TenMegabytes_KeepsTheLimitAndSaysHowMuchWasCut()
    {
        var clipped = ForeignText.Clip(new string('x', 10_000_000), 200);

        Assert.Equal(new string('x', 200) + "…(+9999800 chars)", clipped);
    }

    [Fact]
    public void Clip_ControlCharacters_EscapedSoALogLineCannotBeForged()
    {
        Assert.Equal("a\\nINFO forged\\u001b[31m\\t", ForeignText.Clip("a\nINFO forged\u001b[31m\t"));
    }

    [Fact]
    public void Clip_CutInsideASurrogatePair_NeverLeavesHalfACharacter()
    {
        var clipped = ForeignText.Clip("ab\U0001F600cd", 3);

        Assert.Equal("ab…(+4 chars)", clipped);
    }

    [Fact]
    public void Clip_Null_StaysNull() => Assert.Null(ForeignText.Clip(null));
}
