using EdgeAgent.Drift;

namespace EdgeAgent.Core.Tests.Drift;

public sealed class PhotometryMeterTests
{
    [Fact]
    public void Measure_ImageIsTheTemplateUnderAGain_ReportsTheGainAsBrightnessAndContrast()
    {
        const int Side = 64;
        var template = new byte[Side * Side];
        var image = new byte[Side * Side * 3];
        for (var i = 0; i < template.Length; i++)
        {
            template[i] = (byte)(60 + ((i * 7919) % 100));
            image[3 * i] = image[(3 * i) + 1] = image[(3 * i) + 2] = (byte)Math.Round(template[i] * 1.2);
        }

        var photometry = PhotometryMeter.Measure(template, image, Side)!;

        Assert.Equal(1.2, photometry.Brightness, 2);
        Assert.Equal(1.2, photometry.Contrast, 2);
    }

    [Fact]
    public void Measure_FlatTemplate_HasNoRatio()
    {
        Assert.Null(PhotometryMeter.Measure(new byte[16 * 16], new byte[16 * 16 * 3], 16));
    }
}
