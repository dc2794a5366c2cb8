using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EdgeAgent.Dashboard.Pictures;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Labels;

/// <summary>
/// Writes judged pairs as a training set the lab's recipes read unchanged (<c>models/train/train_stpm.py</c> and the
/// others): <c>&lt;product&gt;/&lt;file&gt;</c> copies of each pair's image and template, checked against the SHA-256 the
/// verdict recorded, and <c>labels.csv</c> in the generator's columns (<see cref="LabelColumns.Header"/>) plus the AI's
/// and the person's side. A pair's label is its newest decision, else its OK/NG verdict; undecided REVIEW and ERROR
/// pairs have no label. Whatever is not written is listed in <c>skipped.csv</c> with its reason.
/// </summary>
public sealed class LabelExport(VerdictFiles files)
{
    /// <summary>The file every recipe reads.</summary>
    public const string LabelsFile = "labels.csv";

    /// <summary>The pairs left out, with their reasons.</summary>
    public const string SkippedFile = "skipped.csv";

    /// <summary>
    /// Exports <paramref name="verdicts"/> (newest first, as the log returns them) into <paramref name="folder"/>, which must
    /// be empty or new; <paramref name="decisionsOf"/> gives the newest decision of each verdict id that has one.
    /// </summary>
    public LabelSummary Export(
        IEnumerable<Verdict> verdicts,
        Func<IReadOnlyList<string>, IReadOnlyDictionary<string, OperatorDecision>> decisionsOf,
        bool decidedOnly,
        string folder)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        ArgumentNullException.ThrowIfNull(decisionsOf);
        Directory.CreateDirectory(folder);
        var labels = new StringBuilder(LabelColumns.Header).Append('\n');
        var skipped = new StringBuilder("verdict_id,product,pair,reason,detail\n");
        var seen = new HashSet<(string, string)>();
        var summary = new LabelSummary();
        foreach (var chunk in verdicts.Chunk(500))
        {
            var decisions = decisionsOf([.. chunk.Select(v => v.Id)]);
            foreach (var verdict in chunk)
            {
                var decision = decisions.GetValueOrDefault(verdict.Id);
                var (reason, detail) = Check(verdict, decision, decidedOnly, seen) is { } refusal ? refusal : CopyFiles(verdict, folder);
                if (reason is null)
                {
                    labels.Append(LabelColumns.Row(verdict, decision)).Append('\n');
                    summary.Count(decision?.Decision ?? verdict.Outcome, decision is not null);
                }
                else
                {
                    skipped.Append(LabelColumns.Csv([verdict.Id, verdict.Product, verdict.PairId, reason, detail ?? ""])).Append('\n');
                    summary.Skip(reason);
                }
            }
        }

        // '\n' line ends, UTF-8 without BOM: as the generator writes its labels.csv.
        File.WriteAllText(Path.Combine(folder, LabelsFile), labels.ToString(), new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(folder, SkippedFile), skipped.ToString(), new UTF8Encoding(false));
        return summary;
    }

    // Why a verdict gets no row before any file is touched; null when it is to be exported.
    private static (string, string?)? Check(Verdict v, OperatorDecision? decision, bool decidedOnly, HashSet<(string, string)> seen)
    {
        if (decidedOnly && decision is null)
        {
            return (SkipReason.NotDecided, null);
        }

        if (decision is null && v.Outcome is not (VerdictKind.Ok or VerdictKind.Ng))
        {
            return (SkipReason.NoLabel, $"{v.Outcome.ToString().ToUpperInvariant()} {v.Reason} and nobody decided it");
        }

        if (v.Template is not { } template)
        {
            return (SkipReason.TemplateMissing, "the verdict names no template");
        }

        if (!Path.GetFileName(template.Path).StartsWith(v.PairId, StringComparison.Ordinal))
        {
            // A golden-image product's template is the whole golden, not a pair the size of the image: no recipe reads that.
            return (SkipReason.GoldenTemplate, template.Path);
        }

        // The log is read newest first: a pair the AOI sent again is labelled by its newest verdict.
        return seen.Add((v.Product, v.PairId)) ? null : (SkipReason.Duplicate, "a newer verdict of the same pair is exported");
    }

    private (string?, string?) CopyFiles(Verdict v, string folder)
    {
        var copies = new List<(string Path, byte[] Bytes)>(2);
        foreach (var (role, file) in new[] { ("image", v.Image), ("template", v.Template!) })
        {
            var found = files.Locate(file.Path, v.Outcome);
            if (found is null)
            {
                return ($"{role}-missing", file.Path);
            }

            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(found);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ($"{role}-unreadable", $"{found}: {e.Message}");
            }

            if (file.Sha256 is null || !string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return ($"{role}-changed", $"{found} is not the file judged (SHA-256 {file.Sha256 ?? "not recorded"})");
            }

            copies.Add((LabelColumns.RelativePath(v, file), bytes));
        }

        foreach (var (relative, bytes) in copies)
        {
            var target = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, bytes);
        }

        return (null, null);
    }
}

/// <summary>The reasons a judged pair is not exported, as <c>skipped.csv</c> writes them.</summary>
public static class SkipReason
{
    /// <summary><c>--decided-only</c> and nobody decided it.</summary>
    public const string NotDecided = "not-decided";

    /// <summary>REVIEW or ERROR and nobody decided it: there is no label.</summary>
    public const string NoLabel = "no-label";

    /// <summary>The verdict names no template.</summary>
    public const string TemplateMissing = "template-missing";

    /// <summary>The product's template is its golden image, not a pair template.</summary>
    public const string GoldenTemplate = "golden-template";

    /// <summary>A newer verdict of the same product and pair id is exported.</summary>
    public const string Duplicate = "duplicate-pair";
}

/// <summary>What an export wrote and left out.</summary>
public sealed class LabelSummary
{
    private readonly SortedDictionary<string, int> _skipped = new(StringComparer.Ordinal);

    /// <summary>Pairs written.</summary>
    public int Pairs { get; private set; }

    /// <summary>Of those, labelled OK.</summary>
    public int Ok { get; private set; }

    /// <summary>Of those, labelled NG.</summary>
    public int Ng { get; private set; }

    /// <summary>Of those, labelled by a person's decision.</summary>
    public int Decided { get; private set; }

    /// <summary>Pairs left out, per reason.</summary>
    public IReadOnlyDictionary<string, int> Skipped => _skipped;

    /// <summary>One line for the console or a log.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Pairs} pair(s) written ({Ok} OK, {Ng} NG; {Decided} labelled by a person), {_skipped.Values.Sum()} skipped{(_skipped.Count == 0 ? "" : " (" + string.Join(", ", _skipped.Select(s => $"{s.Key} {s.Value}")) + ")")}");

    internal void Count(VerdictKind label, bool decided)
    {
        Pairs++;
        Ok += label == VerdictKind.Ok ? 1 : 0;
        Ng += label == VerdictKind.Ng ? 1 : 0;
        Decided += decided ? 1 : 0;
    }

    internal void Skip(string reason) => _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;
}
