using EdgeAgent.Models.Store;

namespace EdgeAgent.Models.Tests.Store;

/// <summary>The order a downgrade is judged by: Semantic Versioning 2.0.0 precedence.</summary>
public sealed class ModelVersionTests
{
    [Theory]
    [InlineData("1.0.0", "2.0.0")]
    [InlineData("1.9.0", "1.10.0")]
    [InlineData("1.0.0-rc.1", "1.0.0")]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1")]
    [InlineData("1.0.0-alpha.2", "1.0.0-alpha.10")]
    [InlineData("1.0.0-2", "1.0.0-alpha")]
    [InlineData("2.0.0-fi", "2.0.1-fi")]
    [InlineData("1.1.0", "1.2")]
    [InlineData("9", "10")]
    [InlineData("099999999999999999999", "100000000000000000000")]
    public void Compare_LowerThenHigher_OrdersThem(string lower, string higher)
    {
        Assert.True(ModelVersion.Compare(lower, higher) < 0);
        Assert.True(ModelVersion.Compare(higher, lower) > 0);
    }

    [Theory]
    [InlineData("1.0.0", "1.0.0+build.7")]
    [InlineData("1.0.0", "01.0.0")]
    public void Compare_SamePrecedence_IsZero(string a, string b) => Assert.Equal(0, ModelVersion.Compare(a, b));
}
