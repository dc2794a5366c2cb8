using System.Globalization;
using EdgeAgent.Security;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Data;

/// <summary>
/// The audit trail on <c>/models</c> and <c>/api/models</c> comes in pages of <see cref="PageSize"/> rows, newest
/// first; <c>?before=&lt;id&gt;</c> asks for the page after the row numbered <c>id</c>. Rows are clipped when stored,
/// so a page stays small whatever was sent over MQTT.
/// </summary>
public static class AuditPaging
{
    /// <summary>Rows per page.</summary>
    public const int PageSize = 200;

    /// <summary>The <c>before</c> of the query (null: the newest page), or the error to answer 400 with.</summary>
    public static (long? Before, string? Error) Parse(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.TryGetValue("before", out var values) || string.IsNullOrEmpty(values.ToString()))
        {
            return (null, null);
        }

        var text = values.ToString();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var before) && before > 0
            ? (before, null)
            : (null, $"before must be an audit row number (from the last page's oldest row), not '{ForeignText.Clip(text, 40)}'");
    }

    /// <summary>The <c>before</c> of the next page, or null when <paramref name="page"/> was the last.</summary>
    public static long? Next<T>(IReadOnlyList<T> page, Func<T, long> id) => page.Count == PageSize ? id(page[^1]) : null;
}
