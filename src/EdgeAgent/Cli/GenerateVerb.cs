using System.CommandLine;
using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Host.Cli;

/// <summary><c>edgeagent generate</c>: writes a synthetic AOI folder with labels.csv (demo, tests, training).</summary>
internal static class GenerateVerb
{
    public static Command Command()
    {
        var output = CliOptions.Required("--out", "DIR", "folder to write <product>/<id>_image|_template.<ext>, masks/<product>/<id>_mask.png (NG pairs) and labels.csv into");
        var count = CliOptions.Int("--count", 40, "N", "pairs to write");
        var ngFraction = CliOptions.Number("--ng-fraction", 0.5, "F", "share of defective pairs");
        var seed = CliOptions.Int("--seed", 1, "S", "random seed (same seed, same pairs)");
        var maxShift = CliOptions.Number("--max-shift", 8, "PX", "largest misalignment shift");
        var maxAngle = CliOptions.Number("--max-angle", 0.5, "DEG", "largest misalignment rotation");
        var size = CliOptions.Int("--size", 600, "PX", "image side");
        var format = CliOptions.Text("--format", "png|bmp|jpg|tif", "image format [default: png]");
        var products = CliOptions.Text("--products", "P1,P2", "product names used in turn: M<digit>… a metal grating, BGA… a solder-ball array, others bumps/pads [default: UBM,M1]");
        var pitch = CliOptions.Text("--pitch", "MIN:MAX", $"pitch range of the periodic array in px, {PitchRange.SmallestPx}–{PitchRange.LargestPx} [default: {PitchRange.Default}]");
        var command = new Command("generate", "writes a synthetic AOI folder with labels.csv (demo, tests, training)")
            .With(output, count, ngFraction, seed, maxShift, maxAngle, size, format, products, pitch);
        command.SetAction((result, _) => Task.FromResult(Run(result.GetRequiredValue(output), new SyntheticDatasetOptions
        {
            Count = result.GetValue(count),
            NgFraction = result.GetValue(ngFraction),
            Seed = result.GetValue(seed),
            MaxShiftPx = result.GetValue(maxShift),
            MaxAngleDeg = result.GetValue(maxAngle),
            Size = result.GetValue(size),
            Extension = result.GetValue(format) ?? "png",
            Products = ParseProducts(result.GetValue(products)),
            Pitch = ParsePitch(result.GetValue(pitch)),
        })));
        return command;
    }

    // Not given: the options' defaults, so a run without the new options writes exactly what it always wrote.
    private static IReadOnlyList<string> ParseProducts(string? text) =>
        text is null ? new SyntheticDatasetOptions().Products : text.Split(',', StringSplitOptions.TrimEntries);

    private static PitchRange ParsePitch(string? text) =>
        text is null ? PitchRange.Default
        : PitchRange.TryParse(text, out var range) ? range
        : throw new UsageException($"generate: --pitch takes MIN:MAX in whole pixels (e.g. 20:90), not '{text}'.");

    public static int Run(string output, SyntheticDatasetOptions options)
    {
        IReadOnlyList<SyntheticPairTruth> pairs;
        using (var progress = TerminalProgress.Start("generate: pairs written", options.Count))
        {
            try
            {
                pairs = SyntheticDataset.Write(output, options, progress);
            }
            catch (ArgumentException e)
            {
                // A value out of the generator's range (--size below 200, --ng-fraction above 1) is a command-line
                // mistake: one line and 64, not a stack trace.
                throw new UsageException("generate: " + e.Message.Split(Environment.NewLine)[0]);
            }
        }

        var ng = pairs.Count(p => p.IsDefective);
        Console.WriteLine($"wrote {pairs.Count} pairs ({ng} NG{(ng > 0 ? ", their defect masks under masks/" : "")}) to {Path.GetFullPath(output)}");
        return 0;
    }
}
