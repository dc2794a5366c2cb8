using System.CommandLine;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// Builders for the verbs' options, so every verb spells the same option (--config, --json, numbers with their
/// defaults) the same way and its help shows the default a technician gets.
/// </summary>
internal static class CliOptions
{
    /// <summary>An optional value; null when not given.</summary>
    public static Option<string?> Text(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName };

    /// <summary>A value the verb cannot work without: the parser reports it missing (exit 64).</summary>
    public static Option<string> Required(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName, Required = true };

    /// <summary>A whole number with its default.</summary>
    public static Option<int> Int(string name, int fallback, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback };

    /// <summary>A number with its default (parsed invariantly: the build runs with invariant globalization).</summary>
    public static Option<double> Number(string name, double fallback, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback };

    /// <summary>An option that takes no value.</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>
    /// The time <paramref name="text"/> names (<c>2h</c>, <c>30m</c>, <c>7d</c> before <paramref name="now"/>, or an ISO
    /// time), or the usage error that names <c>--<paramref name="option"/></c>.
    /// </summary>
    public static DateTimeOffset Time(string text, DateTimeOffset now, string option) =>
        RelativeTime.Parse(text, now) ?? throw new UsageException($"--{option} must be like 2h, 30m, 7d or an ISO time {RelativeTime.Range}, not '{text}'.");

    /// <summary>The agent's configuration file, as <c>run</c> takes it.</summary>
    public static Option<string?> Config(string description = "configuration file (JSON) over the built-in defaults") =>
        Text("--config", "FILE", description);

    /// <summary>Adds <paramref name="options"/> to <paramref name="command"/> and returns it, so a verb reads as one expression.</summary>
    public static Command With(this Command command, params Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        return command;
    }
}
