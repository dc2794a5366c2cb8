using EdgeAgent.Dashboard.Access;
using EdgeAgent.Decisions;
using EdgeAgent.Publish;
using EdgeAgent.Security;
using EdgeAgent.Storage;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Dashboard.Review;

/// <summary>
/// <c>POST /api/verdicts/{id}/decision</c>: a person's OK/NG about a judged pair. Who may call it is the access layer's
/// business (<see cref="DashboardRole.Operator"/> and up, by session with its anti-forgery token or by personal bearer
/// token); this checks the request itself and stores it through the journal, which publishes it. Every refusal is answered with a
/// status that says why and is audited; nothing is stored half.
/// </summary>
internal sealed class DecisionEndpoints(VerdictLog log, ReviewOptions review, IOutboxNudge? outbox, DashboardAudit audit, TimeProvider time, ILogger logger)
{
    /// <summary>The endpoint.</summary>
    public async Task Decide(HttpContext context)
    {
        var id = Responses.RouteValue(context, "id");
        var caller = DashboardCaller.Of(context);
        var by = caller.Name;
        var role = DashboardRoles.Name(caller.Role);

        var json = await ReadBodyAsync(context).ConfigureAwait(false);
        if (json is null)
        {
            await Refuse(context, StatusCodes.Status413PayloadTooLarge, id, by, null, $"A decision is at most {DecisionLimits.MaxRequestBytes} bytes of JSON.").ConfigureAwait(false);
            return;
        }

        var (body, decision, problem) = DecisionBodyReader.Parse(json);
        if (body is null)
        {
            await Refuse(context, StatusCodes.Status400BadRequest, id, by, null, problem!).ConfigureAwait(false);
            return;
        }

        if (body.Override && !caller.Has(DashboardRole.Supervisor))
        {
            await Refuse(context, StatusCodes.Status403Forbidden, id, by, null, "Only a supervisor may override a decision.").ConfigureAwait(false);
            return;
        }

        StoredVerdict? stored;
        DecisionResult result;
        try
        {
            stored = log.Get(id);
            if (stored is null)
            {
                await Refuse(context, StatusCodes.Status404NotFound, id, by, null, $"No judged verdict {id}.").ConfigureAwait(false);
                return;
            }

            if (ClassProblem(body, decision, stored.Verdict) is { } classProblem)
            {
                await Refuse(context, StatusCodes.Status400BadRequest, id, by, stored.Verdict.Product, classProblem).ConfigureAwait(false);
                return;
            }

            result = log.RecordDecision(new DecisionRequest(id, decision, body.DefectClass, body.Comment, by, role, body.Override), time.GetUtcNow());
        }
        catch (JournalUnavailableException e)
        {
            // A full disk: the person must know the decision is not stored, and try again.
            Log.DecisionNotStored(logger, id, e);
            await Responses.Text(context, StatusCodes.Status503ServiceUnavailable, $"The decision was NOT stored: the journal cannot write now ({e.Message}). Try again.").ConfigureAwait(false);
            return;
        }

        switch (result.Status)
        {
            case DecisionStatus.Stored:
                outbox?.Nudge();
                Log.Decided(logger, result.Decision!.Id, result.Decision.AiVerdict, result.Decision.Decision, by, role);
                await Responses.Json(context, result.Decision, DecisionJsonContext.Default.OperatorDecision).ConfigureAwait(false);
                return;
            case DecisionStatus.AlreadyDecided:
                var existing = result.Existing!;
                await Refuse(context, StatusCodes.Status409Conflict, id, by, stored.Verdict.Product,
                    $"{id} was already decided {existing.Decision.ToString().ToUpperInvariant()} by {existing.By} at {existing.At:u}; a supervisor may override it (\"override\": true).").ConfigureAwait(false);
                return;
            case DecisionStatus.Archived:
                await Refuse(context, StatusCodes.Status410Gone, id, by, stored.Verdict.Product, $"{id} is archived (judged before the review hold): it can no longer be decided.").ConfigureAwait(false);
                return;
            default:
                await Refuse(context, StatusCodes.Status404NotFound, id, by, null, $"No judged verdict {id}.").ConfigureAwait(false);
                return;
        }
    }

    /// <summary>The defect classes a person may choose for <paramref name="verdict"/>: configured ones plus those its models named.</summary>
    public IReadOnlyList<string> ClassesFor(Verdict verdict)
    {
        var named = (verdict.Models ?? []).SelectMany(m => (m.Classes ?? []).Select(c => c.Name).Concat((m.Regions ?? []).Select(r => r.Class)))
            .OfType<string>().Where(c => !c.Equals("ok", StringComparison.OrdinalIgnoreCase));
        return [.. review.DefectClasses.Concat(named).Distinct(StringComparer.Ordinal)];
    }

    private string? ClassProblem(DecisionBody body, VerdictKind decision, Verdict verdict)
    {
        if (body.DefectClass is not { } defect)
        {
            return null;
        }

        if (decision != VerdictKind.Ng)
        {
            return "A defect class goes with an NG decision only.";
        }

        var classes = ClassesFor(verdict);
        return classes.Contains(defect, StringComparer.Ordinal) ? null : $"Unknown defect class '{defect}': choose one of {string.Join(", ", classes)}.";
    }

    private async Task Refuse(HttpContext context, int status, string id, string by, string? product, string reason)
    {
        audit.Record("decision-refused", by, $"{status} {ForeignText.Clip(id, 64)}: {reason}", product);
        await Responses.Text(context, status, reason).ConfigureAwait(false);
    }

    // At most the limit plus one byte is read: a larger body is refused without holding it in memory.
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > DecisionLimits.MaxRequestBytes)
        {
            return null;
        }

        var buffer = new byte[DecisionLimits.MaxRequestBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await context.Request.Body.ReadAsync(buffer.AsMemory(read), context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            read += n;
        }

        return read > DecisionLimits.MaxRequestBytes ? null : buffer[..read];
    }
}
