using System.Globalization;
using System.Text;

namespace EdgeAgent.Score;

/// <summary>
/// A fixed-width text histogram of OK and NG scores for a terminal: equal bins over the scores' range
/// (stretched to include the threshold), one line per bin with both counts as bars, the threshold's bin marked.
/// </summary>
public static class ScoreHistogram
{
    /// <summary>Default number of bins.</summary>
    public const int DefaultBins = 20;

    // Characters per bar; each column is scaled to its own largest bin, since NG sets are usually far smaller.
    private const int BarWidth = 30;

    /// <summary>Renders the histogram, one line per bin, lines separated by '\n'.</summary>
    public static string Render(IReadOnlyCollection<double> okScores, IReadOnlyCollection<double> ngScores, double threshold, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(okScores);
        ArgumentNullException.ThrowIfNull(ngScores);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var all = okScores.Concat(ngScores).Append(threshold).ToList();
        double low = all.Min(), high = all.Max();
        double width = (high - low) / bins;
        int BinOf(double score) => width > 0 ? Math.Clamp((int)((score - low) / width), 0, bins - 1) : 0;

        var ok = new int[bins];
        var ng = new int[bins];
        foreach (var s in okScores)
        {
            ok[BinOf(s)]++;
        }

        foreach (var s in ngScores)
        {
            ng[BinOf(s)]++;
        }

        int okPeak = Math.Max(1, ok.Max()), ngPeak = Math.Max(1, ng.Max()), marked = BinOf(threshold);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"{"score from",11}   {"OK",6} {new string(' ', BarWidth)}   {"NG",6}").Append('\n');
        for (int b = 0; b < bins; b++)
        {
            var line = string.Create(c, $"{low + (b * width),11:0.0000} {(b == marked ? '>' : ' ')} {ok[b],6} {Bar(ok[b], okPeak, '#')} | {ng[b],6} {Bar(ng[b], ngPeak, '+')}");
            text.Append(b == marked ? string.Create(c, $"{line}  <- threshold {threshold:0.0000}") : line.TrimEnd()).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }

    // A non-empty bin always shows at least one character, so a lone escape is never invisible.
    private static string Bar(int count, int peak, char glyph)
    {
        int length = count == 0 ? 0 : Math.Max(1, (int)Math.Round((double)count * BarWidth / peak));
        return new string(glyph, length).PadRight(BarWidth);
    }
}
