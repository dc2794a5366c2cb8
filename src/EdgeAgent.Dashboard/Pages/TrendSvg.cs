using System.Globalization;
using System.Text;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>A line of a trend chart: its CSS class, its legend and its points (pair index, value).</summary>
public sealed record TrendLine(string Css, string Legend, IReadOnlyList<(int X, double Y)> Points);

/// <summary>
/// One series of a product over its recent pairs as inline SVG, in the histogram's manner: each pair's value as a dot,
/// lines over them (the EWMA, rolling quantiles), and the reference and control limits as horizontal dashed lines.
/// The y range covers the values and the limits, so a limit is always on the chart.
/// </summary>
public static class TrendSvg
{
    private const int Width = 720;
    private const int Height = 150;
    private const int Left = 56;
    private const int Top = 10;
    private const int Bottom = 22;

    /// <summary>The SVG element for <paramref name="count"/> pairs.</summary>
    public static string Render(string id, int count, IReadOnlyList<(int X, double Y)> dots, IReadOnlyList<TrendLine> lines, IReadOnlyList<(string Css, string Label, double Y)> levels)
    {
        ArgumentNullException.ThrowIfNull(dots);
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(levels);
        var c = CultureInfo.InvariantCulture;
        var ys = dots.Select(d => d.Y).Concat(lines.SelectMany(l => l.Points.Select(p => p.Y))).Concat(levels.Select(l => l.Y)).DefaultIfEmpty(0).ToList();
        double low = ys.Min(), high = ys.Max(), pad = Math.Max((high - low) * 0.05, 1e-6);
        (low, high) = (low - pad, high + pad);
        double plot = Width - Left - 10, h = Height - Top - Bottom;
        double X(int i) => Left + (count <= 1 ? 0 : i * plot / (count - 1));
        double Y(double v) => Top + ((high - v) / (high - low) * h);

        var svg = new StringBuilder();
        svg.Append(c, $"<svg id=\"{id}\" class=\"trend\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{id} over the recent pairs\">");
        foreach (var (x, y) in dots)
        {
            svg.Append(c, $"<circle class=\"value\" cx=\"{X(x):0.0}\" cy=\"{Y(y):0.0}\" r=\"1.3\"/>");
        }

        foreach (var line in lines.Where(l => l.Points.Count > 1))
        {
            svg.Append(c, $"<polyline class=\"{line.Css}\" points=\"{string.Join(' ', line.Points.Select(p => string.Create(c, $"{X(p.X):0.0},{Y(p.Y):0.0}")))}\"><title>{Html.E(line.Legend)}</title></polyline>");
        }

        // Limits close together on a wide range (a series far past them) would print their numbers over each other:
        // a number only where there is room for it; each line still names itself on hover.
        var lastLabel = double.NegativeInfinity;
        foreach (var (css, label, y) in levels.OrderBy(l => Y(l.Y)))
        {
            svg.Append(c, $"<line class=\"{css}\" x1=\"{Left}\" y1=\"{Y(y):0.0}\" x2=\"{Width - 10}\" y2=\"{Y(y):0.0}\"><title>{Html.E(label)} {y:0.####}</title></line>");
            if (Y(y) - lastLabel >= 11)
            {
                svg.Append(c, $"<text class=\"axis end\" x=\"{Left - 4}\" y=\"{Y(y) + 4:0.0}\">{y:0.###}</text>");
                lastLabel = Y(y);
            }
        }

        svg.Append(c, $"<text class=\"axis\" x=\"{Left}\" y=\"{Height - 6}\">older</text><text class=\"axis end\" x=\"{Width - 10}\" y=\"{Height - 6}\">newest ({count} pairs)</text>");
        return svg.Append("</svg>").ToString();
    }
}
