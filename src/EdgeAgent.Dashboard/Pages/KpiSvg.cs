using System.Globalization;
using System.Text;
using EdgeAgent.Decisions;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>
/// A product's days as inline SVG, in the histogram's manner: per day one bar of its suspects stacked OK, NG, REVIEW,
/// ERROR from the bottom (left axis: pairs), and the share the box settled without a person as a line over them
/// (right axis: 0–100 %), drawn only through days that had suspects.
/// </summary>
public static class KpiSvg
{
    private const int Width = 720;
    private const int Height = 170;
    private const int Left = 44;
    private const int Right = 44;
    private const int Top = 10;
    private const int Bottom = 22;

    /// <summary>The SVG element for <paramref name="days"/>, one entry per day, oldest first.</summary>
    public static string Render(string id, IReadOnlyList<KpiDay> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var c = CultureInfo.InvariantCulture;
        double plot = Width - Left - Right, h = Height - Top - Bottom, step = plot / Math.Max(1, days.Count);
        var peak = Math.Max(1, days.Select(d => d.Suspects).DefaultIfEmpty(0).Max());
        double Y(double pairs) => Top + h - (pairs / peak * h);
        double Share(double share) => Top + h - (share * h);

        var svg = new StringBuilder();
        svg.Append(c, $"<svg id=\"{id}\" class=\"kpi\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"pairs per day by verdict, and the settled share\">");
        for (var i = 0; i < days.Count; i++)
        {
            var d = days[i];
            double x = Left + (i * step) + (step * 0.15), w = Math.Max(1, step * 0.7), below = 0;
            var title = string.Create(c, $"{d.Day}: {d.Suspects} suspects, {d.Ok} OK, {d.Ng} NG, {d.Review} REVIEW, {d.Error} ERROR; settled {Html.N(d.SettledShare * 100, "0.0")} %");
            svg.Append(c, $"<g class=\"day\" data-day=\"{d.Day}\"><title>{Html.E(title)}</title>");
            foreach (var (css, n) in new[] { ("ok", d.Ok), ("ng", d.Ng), ("review", d.Review), ("error", d.Error) })
            {
                if (n > 0)
                {
                    svg.Append(c, $"<rect class=\"{css}\" x=\"{x:0.0}\" y=\"{Y(below + n):0.0}\" width=\"{w:0.0}\" height=\"{Y(below) - Y(below + n):0.0}\"/>");
                    below += n;
                }
            }

            svg.Append("</g>");
        }

        var settled = days.Select((d, i) => (X: Left + ((i + 0.5) * step), d.SettledShare)).Where(p => p.SettledShare is not null).ToList();
        if (settled.Count > 0)
        {
            var points = string.Join(' ', settled.Select(p => string.Create(c, $"{p.X:0.0},{Share(p.SettledShare!.Value):0.0}")));
            svg.Append(c, $"<polyline class=\"settled\" points=\"{points}\"><title>settled without a person</title></polyline>");
            foreach (var p in settled)
            {
                svg.Append(c, $"<circle class=\"settled\" cx=\"{p.X:0.0}\" cy=\"{Share(p.SettledShare!.Value):0.0}\" r=\"2\"/>");
            }
        }

        svg.Append(c, $"<line class=\"axis-line\" x1=\"{Left}\" y1=\"{Top + h}\" x2=\"{Width - Right}\" y2=\"{Top + h}\"/>");
        svg.Append(c, $"<text class=\"axis end\" x=\"{Left - 4}\" y=\"{Top + 8}\">{peak}</text><text class=\"axis end\" x=\"{Left - 4}\" y=\"{Top + h}\">0</text>");
        svg.Append(c, $"<text class=\"axis settled-axis\" x=\"{Width - Right + 4}\" y=\"{Top + 8}\">100 %</text><text class=\"axis settled-axis\" x=\"{Width - Right + 4}\" y=\"{Top + h}\">0 %</text>");
        if (days.Count > 0)
        {
            svg.Append(c, $"<text class=\"axis\" x=\"{Left}\" y=\"{Height - 6}\">{days[0].Day}</text><text class=\"axis end\" x=\"{Width - Right}\" y=\"{Height - 6}\">{days[^1].Day}</text>");
        }

        return svg.Append("</svg>").ToString();
    }
}
