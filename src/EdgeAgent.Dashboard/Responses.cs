using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard;

/// <summary>How the dashboard answers: HTML, JSON, plain statuses.</summary>
internal static class Responses
{
    public static Task Html(HttpContext context, string html)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    public static Task Json<T>(HttpContext context, T value, JsonTypeInfo<T> type)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    public static Task Text(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }

    // Two heavy requests already run: the box's CPU belongs to the pipeline first.
    public static Task Busy(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return Text(context, StatusCodes.Status503ServiceUnavailable, "The dashboard is busy with other requests; try again in a few seconds.");
    }

    public static Task NotFound(HttpContext context, string what) => Text(context, StatusCodes.Status404NotFound, what);

    public static Task BadRequest(HttpContext context, IEnumerable<string> errors) =>
        Text(context, StatusCodes.Status400BadRequest, string.Join("\n", errors));

    public static string RouteValue(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? "";
}
