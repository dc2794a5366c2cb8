using System.Globalization;
using System.Text;
using EdgeAgent.Score;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>
/// The score histogram as inline SVG: OK bars up, NG bars down from one axis, each half scaled to its own largest
/// bin (NG sets are usually far smaller, as in the terminal version), a non-empty bin never thinner than 2 px so a
/// lone escape stays visible, and the threshold as a dashed line across both halves.
/// </summary>
public static class HistogramSvg
{
    private const int Width = 720;
    private const int Half = 90;
    private const int Left = 40;
    private const int Top = 16;

    /// <summary>The SVG element.</summary>
    public static string Render(ScoreBins bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        var c = CultureInfo.InvariantCulture;
        int count = bins.Ok.Count, okPeak = Math.Max(1, bins.Ok.Max()), ngPeak = Math.Max(1, bins.Ng.Max());
        double plot = Width - Left - 10, step = plot / count, axis = Top + Half;
        var svg = new StringBuilder();
        svg.Append(c, $"<svg id=\"histogram\" viewBox=\"0 0 {Width} {(2 * Half) + Top + 30}\" role=\"img\" aria-label=\"score histogram\">");
        svg.Append(c, $"<text x=\"4\" y=\"{Top + 10}\" class=\"axis\">OK</text><text x=\"4\" y=\"{axis + Half}\" class=\"axis\">NG</text>");
        for (var b = 0; b < count; b++)
        {
            double x = Left + (b * step) + 1, w = Math.Max(1, step - 2);
            double up = Height(bins.Ok[b], okPeak), down = Height(bins.Ng[b], ngPeak);
            var range = string.Create(c, $"{bins.Low + (b * bins.Width):0.000} to {bins.Low + ((b + 1) * bins.Width):0.000}");
            svg.Append(c, $"<rect class=\"ok\" x=\"{x:0.0}\" y=\"{axis - up:0.0}\" width=\"{w:0.0}\" height=\"{up:0.0}\"><title>{range}: {bins.Ok[b]} OK</title></rect>");
            svg.Append(c, $"<rect class=\"ng\" x=\"{x:0.0}\" y=\"{axis:0.0}\" width=\"{w:0.0}\" height=\"{down:0.0}\"><title>{range}: {bins.Ng[b]} NG</title></rect>");
        }

        double tx = bins.Width > 0 ? Left + ((bins.Threshold - bins.Low) / bins.Width * step) : Left + (bins.ThresholdBin * step);
        svg.Append(c, $"<line class=\"axis-line\" x1=\"{Left}\" y1=\"{axis}\" x2=\"{Width - 10}\" y2=\"{axis}\"/>");
        svg.Append(c, $"<line id=\"threshold-line\" class=\"threshold\" x1=\"{tx:0.0}\" y1=\"{Top - 6}\" x2=\"{tx:0.0}\" y2=\"{axis + Half + 4}\"/>");
        svg.Append(c, $"<text x=\"{tx + 4:0.0}\" y=\"{Top + 2}\" class=\"threshold-label\">threshold {bins.Threshold:0.000}</text>");
        double bottom = axis + Half + 20;
        svg.Append(c, $"<text x=\"{Left}\" y=\"{bottom}\" class=\"axis\">{bins.Low:0.000}</text>");
        svg.Append(c, $"<text x=\"{Width - 10}\" y=\"{bottom}\" class=\"axis end\">{bins.Low + (count * bins.Width):0.000}</text>");
        svg.Append(c, $"<text x=\"{Left + (plot / 2):0}\" y=\"{bottom}\" class=\"axis middle\">score (largest bin: {bins.Ok.Max()} OK, {bins.Ng.Max()} NG)</text>");
        return svg.Append("</svg>").ToString();
    }

    private static double Height(int n, int peak) => n == 0 ? 0 : Math.Max(2, (double)n / peak * (Half - 4));
}
