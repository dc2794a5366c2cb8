using System.IO.Compression;
using EdgeAgent.Dashboard.Data;
using EdgeAgent.Dashboard.Pictures;
using EdgeAgent.Verdicts;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Labels;

/// <summary>
/// <c>GET /labels.zip?since=…&amp;until=…&amp;product=…&amp;decided=true</c>: what <c>edgeagent labels export</c> writes
/// (labels.csv, skipped.csv, the pairs' files) as one zip, over the dashboard's filter (at most <c>Dashboard:MaxScan</c>
/// verdicts; <c>since</c> defaults to the last 24 h). Supervisors only (the endpoint map requires the role).
/// </summary>
internal sealed class LabelEndpoints(LogReader reader, VerdictFiles files, StationIdentity station, TimeProvider time)
{
    /// <summary>The endpoint.</summary>
    public async Task Zip(HttpContext context)
    {
        var now = time.GetUtcNow();
        var filter = DashboardFilter.Parse(context.Request.Query, now);
        var decided = context.Request.Query["decided"].ToString().Trim().ToLowerInvariant();
        var errors = filter.Errors.ToList();
        if (decided is not ("" or "true" or "false" or "1" or "0"))
        {
            errors.Add($"decided must be true or false, not '{decided}'");
        }

        if (errors.Count > 0)
        {
            await Responses.BadRequest(context, errors).ConfigureAwait(false);
            return;
        }

        using var slot = await reader.SlotAsync(context.RequestAborted).ConfigureAwait(false);
        if (slot is null)
        {
            await Responses.Busy(context).ConfigureAwait(false);
            return;
        }

        // Written to a private temporary folder and zipped there: the response streams a finished file, and a failed export
        // leaves nothing behind.
        var temp = Directory.CreateTempSubdirectory("edgeagent-labels-").FullName;
        try
        {
            var zip = Path.Combine(temp, "labels.zip");
            var query = filter.Query with { Outcome = null, MinScore = null, MaxScore = null, BeforeSeq = null };
            await Task.Run(
                () =>
                {
                    var folder = Path.Combine(temp, "labels");
                    new LabelExport(files).Export(reader.Scan(query), ids => reader.Log.DecisionsOf(ids), decided is "true" or "1", folder);
                    ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
                },
                context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentType = "application/zip";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"labels-{station.Line}-{station.Station}-{now.UtcDateTime:yyyyMMdd-HHmm}.zip\"";
            await using var stream = File.OpenRead(zip);
            context.Response.ContentLength = stream.Length;
            await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
