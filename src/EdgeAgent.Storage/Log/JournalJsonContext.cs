using System.Text.Json.Serialization;
using EdgeAgent.Ingest;

namespace EdgeAgent.Storage.Log;

/// <summary>How a seen pair is kept in the journal until it is judged (internal to the box, not published).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PairCandidate))]
internal sealed partial class JournalJsonContext : JsonSerializerContext;
