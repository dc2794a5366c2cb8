using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Synthetic;

public sealed class SyntheticDatasetTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeagent-synthetic-" + Guid.NewGuid().ToString("N"));

    private static SyntheticDatasetOptions Small => new() { Count = 6, Size = 256, NgFraction = 0.5, Seed = 42 };

    [Fact]
    public void Write_SameSeedTwice_ByteIdenticalFiles()
    {
        SyntheticDataset.Write(Path.Combine(_root, "a"), Small);
        SyntheticDataset.Write(Path.Combine(_root, "b"), Small);

        var first = Files(Path.Combine(_root, "a"));
        var second = Files(Path.Combine(_root, "b"));
        Assert.Equal(first.Keys, second.Keys);
        Assert.All(first, file => Assert.Equal(file.Value, second[file.Key]));
    }

    [Fact]
    public void ReadLabels_AfterWrite_RoundTripsEveryRow()
    {
        var written = SyntheticDataset.Write(_root, Small with { Extension = "bmp", MaxShiftPx = 12, MaxAngleDeg = 1 });

        var read = SyntheticDataset.ReadLabels(_root);

        Assert.Equal(written, read);
        Assert.All(read, row => Assert.True(File.Exists(Path.Combine(_root, row.ImagePath))));
        Assert.All(read, row => Assert.StartsWith($"{row.Product}/{row.Id}_", row.TemplatePath, StringComparison.Ordinal));
        Assert.StartsWith("product,id,image,template,label,defect,dx,dy,angle_deg,mask\n", File.ReadAllText(Path.Combine(_root, "labels.csv")), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_NgPairsCarryAMaskOutsideTheProductFolders_OkPairsNone()
    {
        var rows = SyntheticDataset.Write(_root, Small with { Extension = "jpg" });

        Assert.All(rows.Where(r => !r.IsDefective), r => Assert.Equal("", r.MaskPath));
        Assert.All(rows.Where(r => r.IsDefective), r =>
        {
            // PNG whatever the image format: the mask's 0/255 edge must survive the file.
            Assert.Equal($"masks/{r.Product}/{r.Id}_mask.png", r.MaskPath);
            using var mask = Cv2.ImRead(Path.Combine(_root, r.MaskPath), ImreadModes.Unchanged);
            Assert.Equal(MatType.CV_8UC1, mask.Type());
            Assert.Equal(new Size(Small.Size, Small.Size), mask.Size());
            Assert.True(Cv2.CountNonZero(mask) > 0);
        });
        Assert.Equal(rows.Count(r => r.IsDefective), Directory.EnumerateFiles(Path.Combine(_root, "masks"), "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void ReadLabels_FileWithoutMaskColumn_ReadsWithEmptyMaskPaths()
    {
        // The layout before masks existed, as the golden pairs under models/golden/pairs still have it.
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "labels.csv"),
            "product,id,image,template,label,defect,dx,dy,angle_deg\n" +
            "UBM,L1_S01_U002_D03,UBM/L1_S01_U002_D03_image.png,UBM/L1_S01_U002_D03_template.png,NG,scratch,0.5,-0.25,0.01\n");

        var row = Assert.Single(SyntheticDataset.ReadLabels(_root));

        Assert.Equal(new SyntheticPairTruth("UBM", "L1_S01_U002_D03", "UBM/L1_S01_U002_D03_image.png", "UBM/L1_S01_U002_D03_template.png",
            true, "scratch", 0.5, -0.25, 0.01, ""), row);
    }

    [Theory]
    [InlineData(10, 0.3, 3)]
    [InlineData(5, 0.0, 0)]
    [InlineData(4, 1.0, 4)]
    public void Write_NgFraction_HonouredExactly(int count, double fraction, int expectedNg)
    {
        var rows = SyntheticDataset.Write(_root, Small with { Count = count, NgFraction = fraction, Size = 200 });

        Assert.Equal(expectedNg, rows.Count(r => r.IsDefective));
        Assert.All(rows, r => Assert.Equal(r.IsDefective, r.DefectKind != DefectKinds.None));
        Assert.Equal(count, rows.Select(r => r.Id).Distinct().Count());
        Assert.Equal(["M1", "UBM"], rows.Select(r => r.Product).Distinct().Order());
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static Dictionary<string, byte[]> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(directory, path), File.ReadAllBytes);
}
