using System.Globalization;
using System.Text;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// labels.csv, the contract with the training code: one header line, one row per pair, invariant-culture
/// numbers, '\n' line ends, UTF-8 without BOM. Keep in sync with the lab's dataset loader.
/// The last column, mask, came later: files without it (<see cref="HeaderWithoutMask"/>) still read, with
/// empty mask paths, since datasets and golden pairs written before it are kept.
/// </summary>
internal static class LabelsCsv
{
    public const string FileName = "labels.csv";
    public const string Header = HeaderWithoutMask + ",mask";
    public const string HeaderWithoutMask = "product,id,image,template,label,defect,dx,dy,angle_deg";

    public static void Write(string path, IEnumerable<SyntheticPairTruth> rows)
    {
        var text = new StringBuilder().Append(Header).Append('\n');
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{row.Product},{row.Id},{row.ImagePath},{row.TemplatePath},{(row.IsDefective ? "NG" : "OK")},{row.DefectKind},{row.Dx:0.####},{row.Dy:0.####},{row.AngleDeg:0.####},{row.MaskPath}\n");
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    public static IReadOnlyList<SyntheticPairTruth> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines.Length == 0 ? "" : lines[0].Trim();
        if (header is not (Header or HeaderWithoutMask))
        {
            throw new InvalidDataException($"{path}: expected the header '{Header}' (or, without masks, '{HeaderWithoutMask}').");
        }

        var fields = header.Split(',').Length;

        var rows = new List<SyntheticPairTruth>(lines.Length - 1);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var f = lines[i].Trim().Split(',');
            if (f.Length != fields || f[4] is not ("OK" or "NG"))
            {
                throw new InvalidDataException($"{path}:{i + 1}: expected {fields} fields with label OK or NG.");
            }

            rows.Add(new SyntheticPairTruth(f[0], f[1], f[2], f[3], f[4] == "NG", f[5],
                Number(f[6]), Number(f[7]), Number(f[8]), fields > 9 ? f[9] : ""));
        }

        return rows;
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
