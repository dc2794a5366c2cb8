using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Host.Cli;

/// <summary>Deliberately broken AOI output the demo mixes in, to show that each becomes an ERROR verdict and the stream goes on.</summary>
internal static class DemoBadInputs
{
    /// <summary>Writes the bad pairs under <c>aoi/BAD</c> and returns their image paths.</summary>
    public static IReadOnlyList<string> Write(string aoi, IReadOnlyList<SyntheticPairTruth> truth)
    {
        var dir = Path.Combine(aoi, "BAD");
        Directory.CreateDirectory(dir);
        var good = truth[0];
        var imageBytes = File.ReadAllBytes(Path.Combine(aoi, good.ImagePath));
        var templateBytes = File.ReadAllBytes(Path.Combine(aoi, good.TemplatePath));
        var ext = Path.GetExtension(good.ImagePath);
        var written = new List<string>();
        void Pair(string id, byte[]? image, byte[]? template)
        {
            var imagePath = Path.Combine(dir, $"{id}_image{ext}");
            File.WriteAllBytes(imagePath, image ?? []);
            if (template is not null)
            {
                File.WriteAllBytes(Path.Combine(dir, $"{id}_template{ext}"), template);
            }

            written.Add(imagePath);
        }

        Pair("truncated", imageBytes[..(imageBytes.Length / 2)], templateBytes);
        Pair("empty", [], templateBytes);
        Pair("not-an-image", "this is not an image"u8.ToArray(), templateBytes);
        Pair("no-template", imageBytes, null);
        return written;
    }
}
