using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Host.Cli;

/// <summary><c>edgeagent generate</c>: writes a synthetic AOI folder with labels.csv (demo, tests, training).</summary>
internal static class GenerateVerb
{
    public static int Run(Arguments arguments)
    {
        var output = arguments.Require("out");
        var options = new SyntheticDatasetOptions
        {
            Count = (int)arguments.Number("count", 40),
            NgFraction = arguments.Number("ng-fraction", 0.5),
            Seed = (int)arguments.Number("seed", 1),
            MaxShiftPx = arguments.Number("max-shift", 8),
            MaxAngleDeg = arguments.Number("max-angle", 0.5),
            Size = (int)arguments.Number("size", 600),
            Extension = arguments.Get("format") ?? "png",
        };
        arguments.RejectUnknown();
        var pairs = SyntheticDataset.Write(output, options);
        Console.WriteLine($"wrote {pairs.Count} pairs ({pairs.Count(p => p.IsDefective)} NG) to {Path.GetFullPath(output)}");
        return 0;
    }
}
