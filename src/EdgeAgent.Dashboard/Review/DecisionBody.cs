using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Review;

/// <summary>The JSON a person or script sends to <c>POST /api/verdicts/{id}/decision</c>.</summary>
internal sealed record DecisionBody(string? Decision, string? DefectClass, string? Comment, bool Override);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DecisionBody))]
internal sealed partial class DecisionBodyJsonContext : JsonSerializerContext;

/// <summary>Reads and checks a decision request: every problem is named, nothing half-read is stored.</summary>
internal static class DecisionBodyReader
{
    /// <summary>The body parsed, or the reason it is refused (HTTP 400).</summary>
    public static (DecisionBody? Body, VerdictKind Decision, string? Problem) Parse(ReadOnlySpan<byte> json)
    {
        DecisionBody? body;
        try
        {
            body = JsonSerializer.Deserialize(json, DecisionBodyJsonContext.Default.DecisionBody);
        }
        catch (JsonException e)
        {
            return (null, default, $"The body is not a decision: {e.Message} Send {{\"decision\":\"OK|NG\",\"defectClass\":…,\"comment\":…}}.");
        }

        if (body is null)
        {
            return (null, default, "The body is empty: send {\"decision\":\"OK|NG\"}.");
        }

        VerdictKind decision;
        switch (body.Decision?.Trim().ToUpperInvariant())
        {
            case "OK":
                decision = VerdictKind.Ok;
                break;
            case "NG":
                decision = VerdictKind.Ng;
                break;
            default:
                return (null, default, "\"decision\" must be \"OK\" or \"NG\".");
        }

        if (body.Comment is { Length: > DecisionLimits.MaxCommentLength })
        {
            return (null, default, $"\"comment\" is longer than {DecisionLimits.MaxCommentLength} characters.");
        }

        if (body.Comment is { } comment && comment.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            return (null, default, "\"comment\" holds control characters.");
        }

        if (body.DefectClass is { } defect && (defect.Length > DecisionLimits.MaxClassLength || defect.Any(char.IsControl)))
        {
            return (null, default, "\"defectClass\" is not a class name.");
        }

        return (body with { Comment = Blank(body.Comment), DefectClass = Blank(body.DefectClass) }, decision, null);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
