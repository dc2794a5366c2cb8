using System.Diagnostics;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// One status line on stderr for long work (pairs scored, chunks sent, the bench's phase), redrawn in place.
/// Drawn only when both stdout and stderr are a terminal: a redirected run (a script, a test, `| tee`) gets
/// exactly the output it got before, and stdout never carries it, so what scripts parse stays byte-identical.
/// </summary>
internal sealed class TerminalProgress : IProgress<int>, IDisposable
{
    // Redrawing faster than the eye reads only costs the terminal's time.
    private static readonly long MinInterval = Stopwatch.Frequency / 10;

    private readonly string _label;
    private readonly int? _total;
    private readonly Lock _lock = new();
    private long _lastDrawn;
    private bool _drawn;
    private string _text = "";

    private TerminalProgress(string label, int? total)
    {
        _label = label;
        _total = total;
    }

    /// <summary>True when a status line would be seen: both streams on a terminal that understands erasing a line.</summary>
    public static bool Visible { get; } = !Console.IsOutputRedirected && !Console.IsErrorRedirected
        && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");

    /// <summary>A status line reading <paramref name="label"/> (and <c>done/total</c> once reported); a no-op when not <see cref="Visible"/>.</summary>
    public static TerminalProgress Start(string label, int? total = null)
    {
        var progress = new TerminalProgress(label, total);
        progress.Draw(null, force: true);
        return progress;
    }

    /// <summary>Shows <paramref name="value"/> items done.</summary>
    public void Report(int value) => Draw(_total is { } total ? $"{value}/{total}" : value.ToString(System.Globalization.CultureInfo.InvariantCulture), force: false);

    /// <summary>Shows a free-text detail after the label.</summary>
    public void Report(string detail) => Draw(detail, force: true);

    /// <summary>Prints <paramref name="line"/> on stdout as the verb always did, with the status line moved below it.</summary>
    public void Line(string line)
    {
        lock (_lock)
        {
            var redraw = _drawn;
            if (_drawn)
            {
                Console.Error.Write("\r\e[2K");
                _drawn = false;
            }

            Console.WriteLine(line);
            if (redraw)
            {
                Console.Error.Write(_text);
                _drawn = true;
            }
        }
    }

    /// <summary>Erases the line, so whatever is printed next starts on a clean line.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_drawn)
            {
                Console.Error.Write("\r\e[2K");
                _drawn = false;
            }
        }
    }

    // One column short of the window, so the line never wraps (a wrapped line would not be erased).
    private static int Width()
    {
        try
        {
            return Console.WindowWidth > 1 ? Console.WindowWidth - 1 : 79;
        }
        catch (IOException)
        {
            return 79;
        }
    }

    private void Draw(string? detail, bool force)
    {
        if (!Visible)
        {
            return;
        }

        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            if (!force && now - _lastDrawn < MinInterval)
            {
                return;
            }

            _lastDrawn = now;
            var text = detail is null ? _label : $"{_label} {detail}";
            var width = Width();
            _text = text.Length > width ? text[..width] : text;
            Console.Error.Write("\r\e[2K" + _text);
            _drawn = true;
        }
    }
}
