using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace EdgeAgent.Security;

/// <summary>
/// Strings that came from outside (MQTT commands, request fields) made safe to log and to store: at most a
/// given number of characters, control characters escaped (<c>\n</c>, <c>\u001b</c>), and a marker saying how much
/// was cut. Only the kept prefix is read, so a 10 MB field costs no more than a short one.
/// </summary>
public static class ForeignText
{
    /// <summary>Characters kept by default: enough for any id, name or reason a person sends.</summary>
    public const int DefaultMax = 200;

    /// <summary>
    /// <paramref name="text"/> with control characters escaped, cut to <paramref name="max"/> characters of output
    /// plus a <c>…(+N chars)</c> marker when longer; null stays null.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Clip(string? text, int max = DefaultMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (text is null)
        {
            return null;
        }

        var clean = true;
        for (var i = 0; i < text.Length && i <= max && clean; i++)
        {
            clean = !char.IsControl(text[i]);
        }

        if (clean && text.Length <= max)
        {
            return text;
        }

        var output = new StringBuilder(Math.Min(text.Length, max) + 24);
        var used = 0;
        for (; used < text.Length; used++)
        {
            var c = text[used];
            var piece = !char.IsControl(c) ? null : c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            };
            if (output.Length + (piece?.Length ?? 1) > max)
            {
                break;
            }

            if (piece is null)
            {
                output.Append(c);
            }
            else
            {
                output.Append(piece);
            }
        }

        // Never leave half a surrogate pair at the cut.
        if (used < text.Length && output.Length > 0 && char.IsHighSurrogate(output[^1]))
        {
            output.Length--;
            used--;
        }

        return used < text.Length
            ? output.Append("…(+").Append((text.Length - used).ToString(CultureInfo.InvariantCulture)).Append(" chars)").ToString()
            : output.ToString();
    }
}
