using System.Globalization;
using System.Text;

namespace EdgeAgent.Score;

/// <summary>
/// A histogram of OK and NG scores: equal bins over the scores' range (stretched to include the threshold), the
/// threshold's bin marked. <see cref="Bin"/> counts (the dashboard draws them); <see cref="Render"/> draws them as
/// fixed-width text for a terminal, one line per bin with both counts as bars.
/// </summary>
public static class ScoreHistogram
{
    /// <summary>Default number of bins.</summary>
    public const int DefaultBins = 20;

    // Characters per bar; each column is scaled to its own largest bin, since NG sets are usually far smaller.
    private const int BarWidth = 30;

    /// <summary>Counts OK and NG scores into <paramref name="bins"/> equal bins spanning them and the threshold.</summary>
    public static ScoreBins Bin(IReadOnlyCollection<double> okScores, IReadOnlyCollection<double> ngScores, double threshold, int bins = DefaultBins)
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

        return new ScoreBins(low, width, ok, ng, threshold, BinOf(threshold));
    }

    /// <summary>Renders the histogram, one line per bin, lines separated by '\n'.</summary>
    public static string Render(IReadOnlyCollection<double> okScores, IReadOnlyCollection<double> ngScores, double threshold, int bins = DefaultBins)
    {
        var h = Bin(okScores, ngScores, threshold, bins);
        int okPeak = Math.Max(1, h.Ok.Max()), ngPeak = Math.Max(1, h.Ng.Max());
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"{"score from",11}   {"OK",6} {new string(' ', BarWidth)}   {"NG",6}").Append('\n');
        for (int b = 0; b < bins; b++)
        {
            var marked = b == h.ThresholdBin;
            var line = string.Create(c, $"{h.Low + (b * h.Width),11:0.0000} {(marked ? '>' : ' ')} {h.Ok[b],6} {Bar(h.Ok[b], okPeak, '#')} | {h.Ng[b],6} {Bar(h.Ng[b], ngPeak, '+')}");
            text.Append(marked ? string.Create(c, $"{line}  <- threshold {threshold:0.0000}") : line.TrimEnd()).Append('\n');
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

/// <summary>Binned OK and NG scores: bin b covers [Low + b·Width, Low + (b+1)·Width); the top bin also holds the maximum.</summary>
/// <param name="Low">Lower edge of the first bin.</param>
/// <param name="Width">Width of every bin (0 when all scores and the threshold are equal).</param>
/// <param name="Ok">OK scores per bin.</param>
/// <param name="Ng">NG scores per bin.</param>
/// <param name="Threshold">The threshold marked.</param>
/// <param name="ThresholdBin">The bin holding the threshold.</param>
public sealed record ScoreBins(double Low, double Width, IReadOnlyList<int> Ok, IReadOnlyList<int> Ng, double Threshold, int ThresholdBin);
