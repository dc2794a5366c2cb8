using EdgeAgent.Align;
using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>An in-memory generated pair with its truth. The caller disposes it (and so both Mats).</summary>
public sealed class SyntheticPair : IDisposable
{
    internal SyntheticPair(Mat image, Mat template, string product, string id, string defectKind,
        double dx, double dy, double angleDeg, int pitchPx, Point2d? defectCentre, double defectRadius, Mat? defectMask)
    {
        Image = image;
        Template = template;
        Product = product;
        Id = id;
        DefectKind = defectKind;
        Dx = dx;
        Dy = dy;
        AngleDeg = angleDeg;
        PitchPx = pitchPx;
        DefectCentre = defectCentre;
        DefectRadius = defectRadius;
        DefectMask = defectMask;
    }

    /// <summary>The AOI image, CV_8UC3 BGR.</summary>
    public Mat Image { get; }

    /// <summary>The golden template, CV_8UC1.</summary>
    public Mat Template { get; }

    public string Product { get; }

    public string Id { get; }

    public bool IsDefective => DefectKind != DefectKinds.None;

    /// <summary>One of <see cref="DefectKinds"/>.</summary>
    public string DefectKind { get; }

    public double Dx { get; }

    public double Dy { get; }

    public double AngleDeg { get; }

    /// <summary>Pitch of the layout's periodic array (bumps or metal lines), in pixels.</summary>
    public int PitchPx { get; }

    /// <summary>Centre of the defect in image coordinates; null for an OK pair.</summary>
    public Point2d? DefectCentre { get; }

    /// <summary>Radius around <see cref="DefectCentre"/> that contains the whole defect (0 for OK).</summary>
    public double DefectRadius { get; }

    /// <summary>
    /// Where the defect is, CV_8UC1 in the template frame (255 = defect, 0 = not); null for an OK pair.
    /// The ground truth for segmentation models, which see the image aligned to the template.
    /// </summary>
    public Mat? DefectMask { get; }

    /// <summary>The true transform, with confidence 1.</summary>
    public Alignment Truth => new(Dx, Dy, AngleDeg, 1);

    public void Dispose()
    {
        Image.Dispose();
        Template.Dispose();
        DefectMask?.Dispose();
    }
}
