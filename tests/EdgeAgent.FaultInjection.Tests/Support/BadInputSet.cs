using System.Security.Cryptography;
using EdgeAgent.Verdicts;
using OpenCvSharp;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>
/// The bad inputs of scenario 4 and what README "Bad input and faults" says becomes of each. Files go under
/// <c>&lt;watched&gt;/BAD/</c> (product BAD) unless the case is about folders; good pairs go under their
/// own product with ids prefixed <c>G</c>.
/// </summary>
public sealed class BadInputSet(StagedPairs staged, string watched, string scratch)
{
    /// <summary>The agent's <c>Decode:MaxFileBytes</c> in this scenario: 2 MiB, eight times a good 352 px image.</summary>
    public const long MaxFileBytes = 2 * 1024 * 1024;

    private readonly string _bad = Path.Combine(watched, "BAD");
    private readonly List<BadInputCase> _cases = [];

    public IReadOnlyList<BadInputCase> Cases => _cases;

    /// <summary>Writes good pairs <paramref name="from"/>.. of the staged set and returns their image paths.</summary>
    public List<string> WriteGood(int from, int count)
    {
        var images = new List<string>();
        foreach (var pair in staged.Pairs.Skip(from).Take(count))
        {
            var folder = Path.Combine(watched, pair.Product);
            images.Add(Place(Staged(pair.ImagePath), Path.Combine(folder, $"G{pair.Id}_image.png")));
            Place(Staged(pair.TemplatePath), Path.Combine(folder, $"G{pair.Id}_template.png"));
        }

        return images;
    }

    /// <summary>
    /// A pair whose image disappears after ingest released it and before inspection reads it: written now
    /// (while the worker has a backlog), its image deleted as soon as <paramref name="journaled"/> says ingest
    /// has journaled it.
    /// </summary>
    public async Task WriteVanishingAfterRelease(Func<string, bool> journaled)
    {
        var image = Good(200, "vanish");
        _cases.Add(BadInputCase.Error("vanishes after release", "image deleted between listing and reading", image, ReasonCode.ReadFailed));
        await Poll.UntilAsync(() => journaled(image), TimeSpan.FromSeconds(30), () => $"ingest journaling {image}");
        File.Delete(image);
    }

    /// <summary>Writes every other case; the returned task ends when the late template has been written.</summary>
    public async Task WriteAll()
    {
        Directory.CreateDirectory(_bad);
        var png = File.ReadAllBytes(Staged(staged.Pairs[201].ImagePath));
        var template = Staged(staged.Pairs[201].TemplatePath);

        Error("truncated PNG", "first third of a PNG", Bytes("trunc", BadFiles.Truncated(png)), ReasonCode.Truncated, template);
        Error("truncated JPEG", "first third of a JPEG", Bytes("jtrunc", BadFiles.Truncated(BadFiles.Jpeg(Staged(staged.Pairs[202].ImagePath), ImreadModes.Color)), "jpg"), ReasonCode.Truncated,
            BytesTo(Path.Combine(_bad, "jtrunc_template.jpg"), BadFiles.Jpeg(Staged(staged.Pairs[202].TemplatePath), ImreadModes.Grayscale)));
        Error("zero-byte image", "empty file", Bytes("empty", []), ReasonCode.EmptyFile, template);
        Error("not an image", "text named _image.png", Bytes("text", BadFiles.NotAnImage()), ReasonCode.DecodeFailed, template);
        Error("corrupt PNG body", "header and IEND intact, body noise", Bytes("corrupt", BadFiles.CorruptBody(png)), ReasonCode.DecodeFailed, template);
        Error("template not an image", "good image, text template", Place(Staged(staged.Pairs[203].ImagePath), Path.Combine(_bad, "badtpl_image.png")), ReasonCode.DecodeFailed,
            BytesTo(Path.Combine(_bad, "badtpl_template.png"), BadFiles.NotAnImage()));
        Error("decompression bomb", "PNG header 100000x100000", Bytes("bomb", BadFiles.PngBomb(100_000, 100_000)), ReasonCode.TooLarge, template);
        Error("file over MaxFileBytes", "3 MiB PNG (limit 2 MiB)", Bytes("huge", BadFiles.Oversized(png, 3 * 1024 * 1024)), ReasonCode.TooLarge, template);
        _cases.Add(BadInputCase.Error("missing template", "image only", Place(Staged(staged.Pairs[204].ImagePath), Path.Combine(_bad, "lonely_image.png")), ReasonCode.TemplateMissing));
        var big = StagedPairs.WriteSized(Path.Combine(scratch, "400"), 400, 1)[0];
        Error("size mismatch", "400 px image, 352 px template", Place(Path.Combine(scratch, "400", big.ImagePath), Path.Combine(_bad, "mismatch_image.png")), ReasonCode.SizeMismatch, template);
        var small = StagedPairs.WriteSized(Path.Combine(scratch, "200"), 200, 1)[0];
        Error("smaller than the crop", "200 px pair, model crop 320", Place(Path.Combine(scratch, "200", small.ImagePath), Path.Combine(_bad, "small_image.png")), ReasonCode.TooSmall,
            Place(Path.Combine(scratch, "200", small.TemplatePath), Path.Combine(_bad, "small_template.png")));

        var ghost = Path.Combine(_bad, "ghost_image.png");
        File.CreateSymbolicLink(ghost, Path.Combine(scratch, "deleted-before-the-agent-looked.png"));
        Error("image gone, name still listed", "dangling symlink", ghost, ReasonCode.ReadFailed, template);

        var link = Path.Combine(_bad, "link_image.png");
        File.CreateSymbolicLink(link, Staged(staged.Pairs[205].ImagePath));
        File.CreateSymbolicLink(Path.Combine(_bad, "link_template.png"), Staged(staged.Pairs[205].TemplatePath));
        var linkedSha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(link)));
        _cases.Add(BadInputCase.Judged("symlinks to a pair", "both files symlinks", link, v => v.Image.Sha256 == linkedSha ? null : $"sha256 {v.Image.Sha256} is not the target's"));

        const string Odd = "L7_S7_U7_D7 ü \"double\" 'single' (x) ✓";
        var oddImage = Good(206, Odd);
        _cases.Add(BadInputCase.Judged("odd characters in the name", "spaces, unicode, quotes", oddImage, v => v.PairId == Odd ? null : $"pairId '{v.PairId}'"));

        var ubm = staged.Pairs.Skip(210).First(p => p.Product == "UBM");
        var m1 = staged.Pairs.Skip(210).First(p => p.Product == "M1");
        foreach (var (pair, product) in new[] { (ubm, "UBM"), (m1, "M1") })
        {
            var image = Place(Staged(pair.ImagePath), Path.Combine(watched, product, "DUP1_image.png"));
            Place(Staged(pair.TemplatePath), Path.Combine(watched, product, "DUP1_template.png"));
            _cases.Add(BadInputCase.Judged($"same id in {product}/", "id DUP1 in UBM/ and M1/", image, v => v.Product == product ? null : $"product {v.Product}"));
        }

        var gone = Good(207, "gone");
        File.Delete(gone);
        _cases.Add(BadInputCase.Ignored("deleted right after writing", "image deleted before it settled", gone));
        var hidden = Good(208, ".hidden");
        _cases.Add(BadInputCase.Ignored("hidden files", ".hidden_image.png + template", hidden));
        var part = Place(Staged(staged.Pairs[209].ImagePath), Path.Combine(_bad, "part_image.png.part"));
        _cases.Add(BadInputCase.Ignored("temp name (.part)", "part_image.png.part", part));

        var late = Place(Staged(staged.Pairs[211].ImagePath), Path.Combine(_bad, "late_image.png"));
        _cases.Add(BadInputCase.Judged("template 2.5 s after its image", "within TemplateWait 6 s", late, v => v.Template is not null ? null : "judged without its template"));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Place(Staged(staged.Pairs[211].TemplatePath), Path.Combine(_bad, "late_template.png"));
    }

    private void Error(string name, string input, string image, string reason, string template)
    {
        var id = Path.GetFileName(image)[..Path.GetFileName(image).LastIndexOf("_image", StringComparison.Ordinal)];
        var target = Path.Combine(_bad, id + "_template" + Path.GetExtension(template));
        if (template != target)
        {
            Place(template, target);
        }

        _cases.Add(BadInputCase.Error(name, input, image, reason));
    }

    private string Good(int index, string id)
    {
        Directory.CreateDirectory(_bad);
        var image = Place(Staged(staged.Pairs[index].ImagePath), Path.Combine(_bad, id + "_image.png"));
        Place(Staged(staged.Pairs[index].TemplatePath), Path.Combine(_bad, id + "_template.png"));
        return image;
    }

    private string Bytes(string id, byte[] bytes, string extension = "png") => BytesTo(Path.Combine(_bad, $"{id}_image.{extension}"), bytes);

    private static string BytesTo(string path, byte[] bytes)
    {
        File.WriteAllBytes(path + ".part", bytes);
        File.Move(path + ".part", path);
        return path;
    }

    private string Staged(string relative) => Path.Combine(staged.Root, relative);

    // As an AOI writes: a temporary name, then a rename.
    private static string Place(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to + ".part", overwrite: true);
        File.Move(to + ".part", to);
        return to;
    }
}
