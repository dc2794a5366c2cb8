using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// Where <see cref="GoldenLocator"/> found an image in the golden image, and the golden crop there. The
/// position and peak are always filled in; <see cref="Trusted"/> says whether they may be used unattended.
/// The caller disposes it (and so the crop).
/// </summary>
public sealed class GoldenMatch : IDisposable
{
    internal GoldenMatch(Mat? template, Point position, double peak, double? rivalPeak, string? untrustedReason)
    {
        Template = template;
        Position = position;
        Peak = peak;
        RivalPeak = rivalPeak;
        UntrustedReason = untrustedReason;
    }

    /// <summary>The golden crop (CV_8UC1, the image's size) at <see cref="Position"/>; null when the image does not fit in the golden.</summary>
    public Mat? Template { get; }

    /// <summary>Top-left of the crop in the golden image, full-resolution pixels.</summary>
    public Point Position { get; }

    /// <summary>TM_CCOEFF_NORMED at <see cref="Position"/>, −1..1.</summary>
    public double Peak { get; }

    /// <summary>The best peak found outside the best one's neighbourhood, when there was one.</summary>
    public double? RivalPeak { get; }

    /// <summary>True when the position can be vouched for.</summary>
    public bool Trusted => UntrustedReason is null;

    /// <summary>Why the position cannot be vouched for ("peak 0.31 below 0.50", "ambiguous: ..."); null when trusted.</summary>
    public string? UntrustedReason { get; }

    /// <inheritdoc/>
    public void Dispose() => Template?.Dispose();
}
