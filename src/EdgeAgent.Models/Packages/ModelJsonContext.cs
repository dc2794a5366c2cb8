using System.Text.Json.Serialization;
using EdgeAgent.Models.Store;

namespace EdgeAgent.Models.Packages;

/// <summary>
/// Source-generated JSON for package files. Missing required members and nulls in non-nullable
/// members fail deserialisation, so a half-written manifest is MALFORMED rather than a model with holes.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    WriteIndented = true)]
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(ManifestSignature))]
public sealed partial class ModelJsonContext : JsonSerializerContext;

/// <summary>Source-generated JSON for the store's own files (<c>store.json</c>, <c>install.json</c>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    WriteIndented = true)]
[JsonSerializable(typeof(StoreState))]
[JsonSerializable(typeof(InstallRecord))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
