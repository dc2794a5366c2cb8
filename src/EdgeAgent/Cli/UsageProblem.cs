using System.CommandLine;
using System.CommandLine.Parsing;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// Turns the parser's errors into the one line a technician sees: an unknown option or verb names the nearest
/// valid one, anything else says what is wrong and where the verb's help is.
/// </summary>
public static class UsageProblem
{
    /// <summary>The line for <paramref name="result"/>, which has errors.</summary>
    public static string Describe(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var command = result.CommandResult;
        var path = PathOf(command);
        if (result.UnmatchedTokens.FirstOrDefault() is { } token)
        {
            if (token.StartsWith('-'))
            {
                return $"edgeagent: unknown option '{token}'; did you mean '{Nearest(token, OptionNames(command))}'?";
            }

            var verbs = command.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
            return verbs.Count > 0
                ? $"edgeagent: unknown verb '{token}' for '{path}'; did you mean '{Nearest(token, verbs)}'?"
                : $"edgeagent: unexpected argument '{token}' ('{path}' takes only --options; '{path} --help' lists them)";
        }

        if (command.Command.Subcommands.Count > 0 && command.Command.Action is null)
        {
            return $"edgeagent: '{path}' needs one of its verbs: {string.Join(", ", command.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))} ('{path} --help' says what each does)";
        }

        var error = result.Errors[0];
        if (error.SymbolResult is OptionResult { Tokens: [{ } value, ..] } option && NumberKind(option.Option.ValueType) is { } kind)
        {
            // The parser's own words name the CLR type (System.Nullable`1[System.Int32]), which tells a technician nothing.
            return $"edgeagent: option {option.Option.Name} takes {kind}, not '{value.Value}' ('{path} --help' lists the options)";
        }

        return $"edgeagent: {error.Message} ('{path} --help' lists the options)";
    }

    private static string? NumberKind(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) => "a whole number",
        var t when t == typeof(double) => "a number",
        _ => null,
    };

    /// <summary>The candidate closest to <paramref name="typed"/> by edit distance (ties: the first).</summary>
    public static string Nearest(string typed, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(typed);
        return candidates.MinBy(c => Distance(typed, c)) ?? "--help";
    }

    // The options the verb accepts, its own and those inherited from above (--help).
    private static List<string> OptionNames(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? at = command; at is CommandResult level; at = level.Parent)
        {
            foreach (var option in level.Command.Options.Where(o => !o.Hidden && (ReferenceEquals(level, command) || o.Recursive)))
            {
                names.Add(option.Name);
                names.AddRange(option.Aliases.Where(a => a.StartsWith("--", StringComparison.Ordinal)));
            }
        }

        return names;
    }

    private static string PathOf(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? at = command; at is CommandResult level; at = level.Parent)
        {
            names.Add(level.Parent is null ? "edgeagent" : level.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    // Levenshtein distance, case-insensitive: option names are short, so the quadratic table costs nothing.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
