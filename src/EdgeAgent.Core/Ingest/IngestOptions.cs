using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace EdgeAgent.Ingest;

/// <summary>Configuration section <c>Ingest</c>: which folders to watch and how pairs are recognised.</summary>
public sealed class IngestOptions : IValidatableObject
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Ingest";

    /// <summary>AOI output folders to watch (recursively). At least one.</summary>
    [Required, MinLength(1)]
    public List<string> Folders { get; set; } = [];

    /// <summary>Suffix of the image's file name stem: <c>&lt;id&gt;_image.png</c>.</summary>
    [Required, RegularExpression(@"^[^/\\]+$")]
    public string ImageSuffix { get; set; } = "_image";

    /// <summary>Suffix of the template's file name stem: <c>&lt;id&gt;_template.png</c>.</summary>
    [Required, RegularExpression(@"^[^/\\]+$")]
    public string TemplateSuffix { get; set; } = "_template";

    /// <summary>Accepted extensions, lower case, without the dot.</summary>
    [Required, MinLength(1)]
    public List<string> Extensions { get; set; } = ["png", "bmp", "jpg", "jpeg", "tif", "tiff"];

    /// <summary>Product when the pair sits directly in a watched folder (otherwise the first sub-folder's name).</summary>
    [Required]
    public string DefaultProduct { get; set; } = "default";

    /// <summary>
    /// Regex with named groups applied to the pair id; each group becomes a trace field (lot, strip, unit, die...).
    /// Empty: no trace fields. One that does not compile stops the start (exit 78).
    /// </summary>
    public string TracePattern { get; set; } = @"^(?<lot>L\d+)_(?<strip>S\d+)_(?<unit>U\d+)_(?<die>D\d+)$";

    /// <summary>Full rescan period; the file watcher only makes scans happen sooner.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A file counts as written when size and mtime held still this long and its end marker is present.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A file stable this long without its end marker is judged anyway (it becomes ERROR TRUNCATED).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan IncompleteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a complete image waits for its template before it becomes ERROR TEMPLATE_MISSING.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TemplateWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Products whose template is not a paired file (it comes from a golden image): their images are released
    /// as soon as they are complete. Set by the host from <c>Products:&lt;p&gt;:GoldenImage</c>, not configured here.
    /// </summary>
    public IReadOnlySet<string> ProductsWithoutTemplates { get; set; } = new HashSet<string>();

    /// <summary>
    /// Whether the rescan follows symbolic links. Off (default): a directory link is not entered and a file link whose
    /// target lies outside the watched folder is not judged (both logged once), so nothing outside the folder is read or
    /// shown. On: each directory link is entered once per rescan (not one met inside a followed link, not one back into
    /// the watched folder, not two leading to the same place), and file links are judged wherever they point.
    /// </summary>
    public bool FollowSymlinks { get; set; }

    /// <summary>Folder levels below a watched folder the rescan enters; deeper folders make the rescan incomplete (the agent reads stalled).</summary>
    [Range(1, 1000)]
    public int MaxScanDepth { get; set; } = 32;

    /// <summary>Entries (files and folders) one rescan of one watched folder looks at; beyond it the rescan is incomplete (the agent reads stalled).</summary>
    [Range(1_000, 100_000_000)]
    public int MaxScanEntries { get; set; } = 5_000_000;

    /// <summary>What happens to the AOI's files once the verdict is stored.</summary>
    public AfterProcessing AfterProcessing { get; set; } = AfterProcessing.Leave;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Compiled here so a pattern that does not parse is a start-up refusal, not an exception when ingest starts
        // (found by fuzzing the configuration).
        string? problem = null;
        try
        {
            _ = string.IsNullOrWhiteSpace(TracePattern) ? null : new Regex(TracePattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return new ValidationResult($"Ingest:TracePattern is not a regular expression: {problem}", [nameof(TracePattern)]);
        }

        // No path holds a NUL; every later use of the folder (full path, watcher, scan) would throw on it.
        if (Folders?.Any(f => f?.Contains('\0', StringComparison.Ordinal) == true) == true)
        {
            yield return new ValidationResult("Ingest:Folders holds a folder with a NUL character, which no path can hold", [nameof(Folders)]);
        }
    }
}

/// <summary>What the agent does with an AOI pair's files after its verdict is stored.</summary>
public enum AfterProcessing
{
    /// <summary>Leave them where the AOI wrote them (default: the agent never deletes or moves AOI files).</summary>
    Leave,

    /// <summary>Move OK/NG pairs to <c>done/</c>, REVIEW to <c>review/</c>, ERROR to <c>quarantine/</c> under the watched folder.</summary>
    Move,
}
