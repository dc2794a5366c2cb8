using EdgeAgent.Ingest;

namespace EdgeAgent.Core.Tests.Ingest;

public sealed class PairNamingTests
{
    private readonly PairNaming _naming = new(new IngestOptions());

    [Theory]
    [InlineData("A1_image.png", PairRole.Image, "A1", "png")]
    [InlineData("A1_template.TIFF", PairRole.Template, "A1", "tiff")]
    [InlineData("lot 7_ü_image.jpeg", PairRole.Image, "lot 7_ü", "jpeg")]
    public void Parse_PairFile_ReturnsRoleIdAndExtension(string name, PairRole role, string id, string ext) =>
        Assert.Equal(new PairFileName(role, id, ext), _naming.Parse(name));

    [Theory]
    [InlineData("A1_image.txt")]
    [InlineData("_image.png")]
    [InlineData(".A1_image.png")]
    [InlineData("A1.png")]
    [InlineData("labels.csv")]
    public void Parse_OtherFile_ReturnsNull(string name) => Assert.Null(_naming.Parse(name));
}
