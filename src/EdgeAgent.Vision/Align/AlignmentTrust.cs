using System.Globalization;
using EdgeAgent.Align;

namespace EdgeAgent.Vision.Align;

/// <summary>The limits of <see cref="AlignmentOptions"/> applied to an estimate; the reason strings go into the verdict.</summary>
internal static class AlignmentTrust
{
    /// <summary>Null when the estimate can be vouched for, else why not ("low confidence 0.31", "shift 40.2 px exceeds 32", "residual misregistration 4.6 px exceeds 3 px", ...).</summary>
    public static string? Check(Alignment alignment, AlignmentOptions options)
    {
        if (alignment.Confidence < options.MinConfidence)
        {
            return string.Create(CultureInfo.InvariantCulture, $"low confidence {alignment.Confidence:0.00}");
        }

        var shift = Math.Sqrt((alignment.Dx * alignment.Dx) + (alignment.Dy * alignment.Dy));
        if (shift > options.MaxShiftPx)
        {
            return string.Create(CultureInfo.InvariantCulture, $"shift {shift:0.0} px exceeds {options.MaxShiftPx:0.#}");
        }

        if (Math.Abs(alignment.AngleDeg) > options.MaxAngleDeg)
        {
            return string.Create(CultureInfo.InvariantCulture, $"angle {alignment.AngleDeg:0.00}° exceeds {options.MaxAngleDeg:0.##}°");
        }

        return alignment.ResidualPx > options.MaxResidualPx
            ? string.Create(CultureInfo.InvariantCulture, $"residual misregistration {alignment.ResidualPx:0.0} px exceeds {options.MaxResidualPx:0.#} px")
            : null;
    }
}
