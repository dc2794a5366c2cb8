using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Hosting;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// Sets <c>Products:&lt;product&gt;:Threshold</c> (and <c>:ThresholdOk</c>, <c>:OodBound</c>) in a JSON configuration file and keeps every other setting.
/// The file is replaced atomically (temp file in the same folder, then a rename), so the agent never reads
/// half a file. Comments, which the configuration reader tolerates, do not survive the rewrite.
/// </summary>
internal static class ProductThresholdFile
{
    // Configuration keys are case-insensitive, so "products" in the file is the section this writes.
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Writes the product's settings <paramref name="values"/> (key → value; null removes the key); returns each key's previous value as written in the file, or null.</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON object, or a section on the way is not one.</exception>
    public static IReadOnlyDictionary<string, string?> Write(string path, string product, IReadOnlyDictionary<string, double?> values)
    {
        var full = Path.GetFullPath(path);
        var root = File.Exists(full) ? Parse(full) : new JsonObject(NodeOptions);
        var entry = Section(Section(root, "Products", full), product, full);
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            previous[key] = entry[key]?.ToJsonString();
            if (value is null)
            {
                entry.Remove(key);
            }
            else
            {
                entry[key] = value;
            }
        }

        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    root.WriteTo(writer);
                }

                stream.Flush(flushToDisk: true);
            }

            if (File.Exists(full) && !OperatingSystem.IsWindows())
            {
                // A configuration file under /etc keeps its permissions across the rewrite.
                File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
            }

            File.Move(temp, full, overwrite: true);
            DirectorySync.SyncParentOf(full); // the rename too survives a power cut
        }
        finally
        {
            File.Delete(temp);
        }

        return previous;
    }

    private static JsonObject Parse(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), NodeOptions, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new InvalidDataException($"{path} does not hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }

    private static JsonObject Section(JsonObject parent, string name, string path) => parent[name] switch
    {
        JsonObject section => section,
        null => (JsonObject)(parent[name] = new JsonObject(NodeOptions)),
        _ => throw new InvalidDataException($"{path}: '{name}' is not a section; leaving the file as it is."),
    };
}
