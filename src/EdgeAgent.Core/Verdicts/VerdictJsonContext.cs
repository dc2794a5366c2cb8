using System.Text.Json.Serialization;

namespace EdgeAgent.Verdicts;

/// <summary>Source-generated JSON for the verdict payload: no reflection, stable camelCase names.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = false)]
[JsonSerializable(typeof(Verdict))]
public sealed partial class VerdictJsonContext : JsonSerializerContext;
