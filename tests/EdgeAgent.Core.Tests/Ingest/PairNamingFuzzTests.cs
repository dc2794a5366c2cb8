using System.Globalization;
using CsCheck;
using EdgeAgent.Ingest;
using EdgeAgent.Testing;
using EdgeAgent.Testing.Fuzzing;

namespace EdgeAgent.Core.Tests.Ingest;

/// <summary>
/// Fuzz target <c>naming</c>: the rules that turn file names and paths into pairs, keys and trace fields, fed any
/// string (control characters, U+FFFD, lone surrogates, separators, <c>..</c>, very long). Each gives a pair or its
/// documented "not a pair" (null, <see cref="PairImagePresence.Unknown"/>, no trace fields), never an exception, and
/// what one rule writes the other reads back. Paths from the file system never hold NUL; keys come back from the
/// journal, so <see cref="PairKey.Probe"/> is fed NUL too.
/// </summary>
[Trait("Category", "Fuzz")]
[Trait("FuzzTarget", "naming")]
public sealed class PairNamingFuzzTests : IDisposable
{
    private static readonly FuzzTarget Target = new("naming", Properties: 3);

    private static readonly string[] Patterns =
    [
        new IngestOptions().TracePattern,
        "",
        @"^(?<lot>[^_]+)_(?<rest>.*)$",
        @"(?<unit>U\d+)",
        @"^(?<lot>(.+)+)_$", // backtracks without end on a long id that does not end in _
    ];

    private readonly TempFolder _temp = new("edgeagent-fuzz-naming-");
    private readonly PairNaming _naming = new(new IngestOptions());

    [Fact]
    public void Parse_AnyFileName_PairNameThatRoundTripsOrNull()
    {
        var gen = Gen.Select(FuzzStrings.Any(), Gen.Int[0, 4], Gen.Bool);
        Fuzz.Run(Target, "file-names", gen, t =>
        {
            var (text, form, image) = t;
            var name = form switch
            {
                0 => text,
                1 => text + (image ? "_image" : "_template") + ".png",
                2 => text + "_image." + text,
                3 => "." + text + "_image.png",
                _ => text + "_image.PnG",
            };
            if (_naming.Parse(name) is { } parsed)
            {
                var suffix = parsed.Role == PairRole.Image ? "_image" : "_template";
                Assert.Equal(name[..name.LastIndexOf('.')], parsed.PairId + suffix);
                Assert.Equal(name[(name.LastIndexOf('.') + 1)..].ToLowerInvariant(), parsed.Extension);
                Assert.False(name.StartsWith('.'));
            }

            // Any id a file can carry comes back from its image's and its template's names unchanged.
            if (text.Length > 0 && !text.StartsWith('.'))
            {
                Assert.Equal(new PairFileName(PairRole.Image, text, "png"), _naming.Parse(text + "_image.png"));
                Assert.Equal(new PairFileName(PairRole.Template, text, "tif"), _naming.Parse(text + "_template.TIF"));
            }

            var relative = text.Replace("\0", "", StringComparison.Ordinal);
            var top = PairNaming.TopFolder(_temp.Path, Path.Combine(_temp.Path, relative));
            Assert.True(top is null || !top.Contains('/', StringComparison.Ordinal), top);
        }, t => Printable(t.Item1) + $" form {t.Item2}");
    }

    [Fact]
    public void PairKey_AnyPathAndTime_ProbeAnswersAndReadsBackItsOwnKeys()
    {
        var gen = Gen.Select(FuzzStrings.Any(6), Gen.Long[DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks], Gen.Bool);
        Fuzz.Run(Target, "pair-keys", gen, t =>
        {
            var (text, ticks, create) = t;
            Assert.Equal(PairImagePresence.Unknown, PairKey.Probe(text.Replace("@", "", StringComparison.Ordinal)));
            var presence = PairKey.Probe(PairKey.Of(Path.Combine(_temp.Path, text), new DateTime(ticks, DateTimeKind.Utc)));
            Assert.True(Enum.IsDefined(presence));

            // A file named by any string the file system takes: its key reads back Present, and Gone once it is deleted.
            var fileName = string.Concat(text.Where(c => c is not '/' and not '\0'));
            if (!create || fileName is "" or "." or ".." || fileName.Length > 200)
            {
                return;
            }

            var path = Path.Combine(_temp.Path, fileName);
            File.WriteAllBytes(path, []);
            var key = PairKey.Of(path, File.GetLastWriteTimeUtc(path));
            Assert.Equal(PairImagePresence.Present, PairKey.Probe(key));
            Assert.False(UnreadableNames.Is(path));
            File.Delete(path);
            Assert.Equal(PairImagePresence.Gone, PairKey.Probe(key));
            Assert.Equal(fileName.Contains('\uFFFD', StringComparison.Ordinal), UnreadableNames.Is(path));
        }, t => Printable(t.Item1) + $" ticks {t.Item2}");
    }

    [Fact]
    public void Trace_AnyPairId_FieldsOfThePatternOrNone()
    {
        var digits = Gen.Int[0, int.MaxValue].Select(i => i.ToString(CultureInfo.InvariantCulture));
        var gen = Gen.Select(FuzzStrings.Any(), Gen.Int[0, Patterns.Length - 1], Gen.Select(digits, digits, digits, digits));
        Fuzz.Run(Target, "trace", gen, t =>
        {
            var (id, pattern, (lot, strip, unit, die)) = t;
            var fields = new TracePattern(Patterns[pattern]).Read(id);
            Assert.All(fields, f => Assert.Contains(f.Value, id, StringComparison.Ordinal));

            // What an AOI writes under the default pattern reads back field for field.
            var written = new TracePattern(Patterns[0]).Read($"L{lot}_S{strip}_U{unit}_D{die}");
            Assert.Equal(new Dictionary<string, string> { ["lot"] = "L" + lot, ["strip"] = "S" + strip, ["unit"] = "U" + unit, ["die"] = "D" + die }, written);
        }, t => Printable(t.Item1) + $" pattern {t.Item2}");
    }

    public void Dispose() => _temp.Dispose();

    private static string Printable(string text) =>
        $"({text.Length} chars) " + string.Concat(text.Take(200).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
