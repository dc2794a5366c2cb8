using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard;

/// <summary>The stylesheet and script, embedded in the assembly (the box is offline: no CDN, nothing to deploy beside it).</summary>
internal static class StaticAssets
{
    private static readonly FrozenDictionary<string, (byte[] Bytes, string Type)> Files = Load();

    /// <summary><c>GET /static/{file}</c>.</summary>
    public static async Task Serve(HttpContext context)
    {
        if (!Files.TryGetValue(Responses.RouteValue(context, "file"), out var file))
        {
            await Responses.NotFound(context, "No such file.").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = file.Type;
        context.Response.Headers.CacheControl = "public, max-age=3600";
        await context.Response.Body.WriteAsync(file.Bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        const string Prefix = "EdgeAgent.Dashboard.Assets.";
        var assembly = typeof(StaticAssets).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name[Prefix.Length..];
            files[file] = (copy.ToArray(), file.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
