using System.Globalization;

namespace EdgeAgent.Verdicts;

/// <summary>
/// The time filters supervisors type: <c>30m</c>, <c>2h</c>, <c>7d</c> mean that long before now; anything else
/// must be an ISO 8601 time (UTC unless it says otherwise). Shared by <c>edgeagent logs</c> and the dashboard.
/// </summary>
public static class RelativeTime
{
    /// <summary>The time <paramref name="text"/> names, or null when it is neither form.</summary>
    public static DateTimeOffset? Parse(string text, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && double.IsFinite(amount) && amount >= 0)
        {
            switch (text[^1])
            {
                case 'm': return now.AddMinutes(-Math.Min(amount, 1e7));
                case 'h': return now.AddHours(-Math.Min(amount, 1e6));
                case 'd': return now.AddDays(-Math.Min(amount, 1e5));
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }
}
