using System.Globalization;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// The verb and its <c>--name value</c> options and <c>--flag</c>s. Small on purpose: the verbs take a
/// handful of options each, and a usage error must name the option at fault.
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private Arguments(string verb) => Verb = verb;

    /// <summary>The verb (first argument), or <c>help</c> when none was given.</summary>
    public string Verb { get; }

    /// <summary>Parses <paramref name="args"/>; <paramref name="flags"/> names the options that take no value.</summary>
    public static Arguments Parse(string[] args, IReadOnlySet<string> flags)
    {
        var parsed = new Arguments(args.Length > 0 ? args[0] : "help");
        for (int i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"Unexpected argument '{arg}'.");
            }

            var name = arg[2..];
            if (flags.Contains(name))
            {
                parsed._flags.Add(name);
            }
            else if (i + 1 < args.Length)
            {
                parsed._values[name] = args[++i];
            }
            else
            {
                throw new UsageException($"Option --{name} needs a value.");
            }
        }

        return parsed;
    }

    /// <summary>True when the flag was given.</summary>
    public bool Flag(string name)
    {
        _used.Add(name);
        return _flags.Contains(name);
    }

    /// <summary>The option's value, or null.</summary>
    public string? Get(string name)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name);
    }

    /// <summary>The option's value, or a usage error naming it.</summary>
    public string Require(string name) => Get(name) ?? throw new UsageException($"Option --{name} is required.");

    /// <summary>A number option with its default.</summary>
    public double Number(string name, double fallback) =>
        Get(name) is not { } text ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
        : throw new UsageException($"Option --{name} must be a number, not '{text}'.");

    /// <summary>Throws when an option was given that the verb never asked about (a typo must not pass silently).</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Concat(_flags).Where(n => !_used.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown option(s) for '{Verb}': {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}

/// <summary>A command-line mistake: printed with the usage text, exit code 64.</summary>
public sealed class UsageException(string message) : Exception(message);
