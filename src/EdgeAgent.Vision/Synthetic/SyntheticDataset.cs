using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// Writes and reads a synthetic AOI dataset: root/&lt;product&gt;/&lt;id&gt;_image|_template.&lt;ext&gt;, the NG pairs'
/// defect masks in root/masks/&lt;product&gt;/&lt;id&gt;_mask.png, plus root/labels.csv.
/// </summary>
public static class SyntheticDataset
{
    /// <summary>Folder under the dataset root that holds the NG pairs' defect masks.</summary>
    public const string MasksFolder = "masks";

    private static readonly string[] Extensions = ["png", "bmp", "jpg", "tif"];

    /// <summary>Writes the dataset; <paramref name="progress"/> hears the number of pairs written so far (the CLI's progress line).</summary>
    public static IReadOnlyList<SyntheticPairTruth> Write(string root, SyntheticDatasetOptions options, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var plan = new Random(options.Seed);
        // The NG set is an exact share, spread at random over the sequence rather than in a block.
        var ngCount = (int)Math.Round(options.Count * options.NgFraction, MidpointRounding.AwayFromZero);
        var isNg = new bool[options.Count];
        Array.Fill(isNg, true, 0, ngCount);
        plan.Shuffle(isNg);

        var generator = new AoiPairGenerator(plan.Next(), options.Size, options.Pitch);
        var rows = new List<SyntheticPairTruth>(options.Count);
        for (var i = 0; i < options.Count; i++)
        {
            var product = options.Products[i % options.Products.Count];
            // Rounded to 1e-4 so the truth written to labels.csv reads back as exactly the same double.
            var dx = Math.Round(Uniform(plan, options.MaxShiftPx), 4);
            var dy = Math.Round(Uniform(plan, options.MaxShiftPx), 4);
            var angle = Math.Round(Uniform(plan, options.MaxAngleDeg), 4);
            using var pair = generator.Next(isNg[i], dx, dy, angle, product);
            var imagePath = $"{product}/{pair.Id}_image.{options.Extension}";
            var templatePath = $"{product}/{pair.Id}_template.{options.Extension}";
            Directory.CreateDirectory(Path.Combine(root, product));
            Save(Path.Combine(root, imagePath), pair.Image);
            Save(Path.Combine(root, templatePath), pair.Template);
            var maskPath = "";
            if (pair.DefectMask is not null)
            {
                // Outside the product folders, which the agent's ingest reads as pairs; always PNG, since a
                // lossy format would blur the 0/255 edge the masks are for.
                maskPath = $"{MasksFolder}/{product}/{pair.Id}_mask.png";
                Directory.CreateDirectory(Path.Combine(root, MasksFolder, product));
                Save(Path.Combine(root, maskPath), pair.DefectMask);
            }

            rows.Add(new SyntheticPairTruth(product, pair.Id, imagePath, templatePath, pair.IsDefective, pair.DefectKind, dx, dy, angle, maskPath));
            progress?.Report(rows.Count);
        }

        LabelsCsv.Write(Path.Combine(root, LabelsCsv.FileName), rows);
        return rows;
    }

    public static IReadOnlyList<SyntheticPairTruth> ReadLabels(string root) =>
        LabelsCsv.Read(Path.Combine(root, LabelsCsv.FileName));

    private static double Uniform(Random random, double max) => max * ((2 * random.NextDouble()) - 1);

    private static void Save(string path, Mat mat)
    {
        if (!Cv2.ImWrite(path, mat))
        {
            throw new IOException($"OpenCV could not write {path}.");
        }
    }

    private static void Validate(SyntheticDatasetOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Size, 200);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxShiftPx);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxAngleDeg);
        options.Pitch.Validate();
        if (options.NgFraction is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "NgFraction must lie in [0, 1].");
        }

        if (!Extensions.Contains(options.Extension))
        {
            throw new ArgumentException($"Extension must be one of {string.Join(", ", Extensions)}.", nameof(options));
        }

        // Product names become folder names and CSV fields.
        if (options.Products.Count == 0 || options.Products.Any(p => string.IsNullOrWhiteSpace(p) || p.IndexOfAny([',', '/', '\\', '\n']) >= 0))
        {
            throw new ArgumentException("Products must be non-empty names without ',', '/', '\\' or line breaks.", nameof(options));
        }
    }
}
