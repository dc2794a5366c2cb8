using System.Globalization;
using System.Reflection;
using CsCheck;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Ingest;
using EdgeAgent.Testing;
using EdgeAgent.Testing.Fuzzing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Tests.Hosting;

/// <summary>
/// Fuzz target <c>config</c>: random settings (the keys of every options section, of <c>Products</c>, and made-up
/// ones; values of every type, well-formed or not) composed into the real agent host (<see cref="AgentHost.Build"/>)
/// and validated as the service does at start. The outcome is valid options or the refusal the verbs turn into exit
/// 78 with one line: an <see cref="OptionsValidationException"/>, or the configuration binder's
/// <see cref="InvalidOperationException"/> for a value of the wrong type. Nothing else is thrown, and options that
/// pass validation are usable (the trace pattern compiles). Settings naming folders or files point inside a temp
/// folder: the data directory check creates what it is given, and the suite may run as root.
/// </summary>
[Trait("Category", "Fuzz")]
[Trait("FuzzTarget", "config")]
public sealed class ConfigurationFuzzTests : IDisposable
{
    private static readonly FuzzTarget Target = new("config", Properties: 1);

    private static readonly (string Key, Type Type)[] Keys = KnownKeys();

    private readonly TempFolder _temp = new("edgeagent-fuzz-config-");

    [Fact]
    public void Compose_RandomSettings_ValidOptionsOrAValidationRefusal()
    {
        var setting = Gen.Select(Gen.Frequency((8, Gen.Int[0, Keys.Length - 1].Select(i => Keys[i])), (1, FuzzStrings.Any(3).Select(k => (k, typeof(string))))), Gen.Int[0, 9], FuzzStrings.Any(4), Gen.Long);
        Fuzz.Run(Target, "compose-and-validate", setting.Array[1, 10], settings =>
        {
            var values = Baseline();
            foreach (var ((key, type), form, text, number) in settings)
            {
                values[key] = ValueFor(key, type, form, text, number);
            }

            AssertComposesOrRefuses(values);
        }, settings => string.Join("\n", settings.Select(s => $"{s.Item1.Item1} = form {s.Item2} text '{s.Item3}' number {s.Item4}")));
    }

    public void Dispose() => _temp.Dispose();

    private void AssertComposesOrRefuses(Dictionary<string, string?> values)
    {
        try
        {
            using var host = AgentHost.Build(null, values);
            AgentHost.ValidateOptions(host.Services);
            var ingest = host.Services.GetRequiredService<IOptions<IngestOptions>>().Value;
            _ = new TracePattern(ingest.TracePattern);
            _ = new PairNaming(ingest);
        }
        catch (OptionsValidationException e)
        {
            Assert.NotEmpty(e.Failures);
        }
        catch (InvalidOperationException e) when (e.Source == "Microsoft.Extensions.Configuration.Binder")
        {
            Assert.Contains("configuration", e.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    // A working configuration the random settings are laid over, so a run reaches every section's checks.
    private Dictionary<string, string?> Baseline() => new()
    {
        ["Ingest:Folders:0"] = _temp.Sub("aoi"),
        ["Storage:DataDirectory"] = Path.Combine(_temp.Path, "data"),
        ["Mqtt:Host"] = "127.0.0.1",
        ["Dashboard:Enabled"] = "false",
    };

    private string? ValueFor(string key, Type type, int form, string text, long number)
    {
        if (form == 0)
        {
            return null;
        }

        // Folders and files stay inside the temp folder (the data directory check creates its folder).
        if (IsPath(key))
        {
            return Path.Combine(_temp.Path, "p", text.Replace("..", "__", StringComparison.Ordinal).Replace("/", "_", StringComparison.Ordinal));
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return form switch
        {
            1 or 2 => text,
            3 => number.ToString(CultureInfo.InvariantCulture),
            4 => (number % 100).ToString(CultureInfo.InvariantCulture),
            5 => TimeSpan.FromMilliseconds(number % 100_000_000).ToString("c", CultureInfo.InvariantCulture),
            6 => underlying.IsEnum ? Enum.GetNames(underlying)[(int)(Math.Abs(number % Enum.GetNames(underlying).Length))] : (number % 2 == 0).ToString(),
            7 => ((double)number / 1e6).ToString("R", CultureInfo.InvariantCulture),
            8 => number % 2 == 0 ? "1e400" : "-0",
            _ => "",
        };
    }

    private static bool IsPath(string key) =>
        new[] { "Directory", "Folder", "File", "Path", "Image", "Mask", "Store", "Dir" }.Any(p => key.Contains(p, StringComparison.OrdinalIgnoreCase));

    // Section:Property for every options class (a const Section) of the agent's assemblies; list settings get indices 0 and 1.
    private static (string, Type)[] KnownKeys()
    {
        var keys = new List<(string, Type)>();
        var assemblies = Directory.GetFiles(AppContext.BaseDirectory, "EdgeAgent*.dll")
            .Where(f => !Path.GetFileName(f).Contains("Tests", StringComparison.Ordinal) && !Path.GetFileName(f).Contains("Testing", StringComparison.Ordinal))
            .Select(f => Assembly.LoadFrom(f));
        foreach (var type in assemblies.SelectMany(a => a.GetExportedTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field || field.GetRawConstantValue() is not string section)
            {
                continue;
            }

            var prefix = section == "Products" ? "Products:UBM" : section;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var element = property.PropertyType.IsGenericType && property.PropertyType.GetGenericArguments() is [var only] && property.PropertyType.GetGenericTypeDefinition() != typeof(Nullable<>)
                    ? only
                    : null;
                if (element is null)
                {
                    keys.Add(($"{prefix}:{property.Name}", property.PropertyType));
                }
                else
                {
                    keys.Add(($"{prefix}:{property.Name}:0", element));
                    keys.Add(($"{prefix}:{property.Name}:1", element));
                }
            }
        }

        return [.. keys];
    }
}
