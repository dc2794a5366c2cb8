using System.ComponentModel.DataAnnotations;
using EdgeAgent.Vision.Align;

namespace EdgeAgent.Vision.Tests.Align;

public sealed class AlignmentOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValuesAndValid()
    {
        var options = new AlignmentOptions();

        Assert.Equal((32.0, 2.0, 0.5, 3.0), (options.MaxShiftPx, options.MaxAngleDeg, options.MinConfidence, options.MaxResidualPx));
        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }

    [Theory]
    [InlineData(-1, 2, 0.5)]
    [InlineData(32, 90, 0.5)]
    [InlineData(32, 2, 1.5)]
    public void Validation_OutOfRange_Fails(double maxShift, double maxAngle, double minConfidence)
    {
        var options = new AlignmentOptions { MaxShiftPx = maxShift, MaxAngleDeg = maxAngle, MinConfidence = minConfidence };

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(500)]
    public void Validation_MaxResidualOutOfRange_Fails(double maxResidual)
    {
        var options = new AlignmentOptions { MaxResidualPx = maxResidual };

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }
}
