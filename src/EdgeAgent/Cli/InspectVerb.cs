using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Heatmap;
using Microsoft.Extensions.Configuration;
using Cv2 = OpenCvSharp.Cv2;
using ImreadModes = OpenCvSharp.ImreadModes;
using Mat = OpenCvSharp.Mat;

namespace EdgeAgent.Host.Cli;

/// <summary><c>edgeagent inspect</c>: judges one pair offline, with the same code path as the service.</summary>
internal static class InspectVerb
{
    public static Command Command()
    {
        var template = CliOptions.Text("--template", "T", "the template image; leave it out for a product judged against its golden image (Products:<p>:GoldenImage)");
        var image = CliOptions.Required("--image", "I", "the AOI image to judge");
        var model = CliOptions.Text("--model", "M", "ONNX model [default: the configured one]");
        var product = CliOptions.Text("--product", "P", "product whose threshold and mask apply [default: default]");
        var json = CliOptions.Flag("--json", "print the verdict record as JSON");
        var noAlign = CliOptions.Flag("--no-align", "judge without aligning the image to the template");
        var heatmap = CliOptions.Text("--heatmap", "OUT.png", "write the anomaly heat map over the template");
        var config = CliOptions.Config();
        var command = new Command("inspect", "judges one pair offline, with the same code path as the service")
            .With(template, image, model, product, json, noAlign, heatmap, config);
        command.SetAction((result, _) => Task.FromResult(Run(result.GetValue(template), result.GetRequiredValue(image), result.GetValue(model),
            result.GetValue(product) ?? "default", result.GetValue(heatmap), result.GetValue(json), !result.GetValue(noAlign), result.GetValue(config))));
        return command;
    }

    public static int Run(string? templateFile, string imageFile, string? modelPath, string product, string? heatmap, bool json, bool align, string? configFile)
    {
        var templatePath = templateFile is null ? null : Path.GetFullPath(templateFile);
        var imagePath = Path.GetFullPath(imageFile);

        if (templatePath is null && !HasGoldenImage(configFile, product))
        {
            throw new UsageException($"Option --template is required: product '{product}' has no golden image (Products:{product}:GoldenImage).");
        }

        using var offline = OfflineInspector.Create(configFile, modelPath, quiet: json);
        var (model, inspector) = (offline.Model, offline.Inspector);
        inspector.KeepLastMap = heatmap is not null;

        var pairId = Path.GetFileNameWithoutExtension(imagePath);
        var pair = new PairCandidate(imagePath, pairId, product, Path.GetDirectoryName(imagePath)!, imagePath, templatePath,
            TimeProvider.System.GetUtcNow(), new Dictionary<string, string>());
        Mat? aligned = null;
        var verdict = inspector.Inspect(pair, align, warped => aligned = warped.Clone());
        using (aligned)
        {
            if (heatmap is not null && templatePath is not null && aligned is not null && verdict.Threshold is { } threshold
                && inspector.LastFusedMap.Length == model.Info.Input * model.Info.Input)
            {
                using var template = Cv2.ImRead(templatePath, ImreadModes.Grayscale);
                HeatmapRenderer.Write(heatmap, template, aligned, model.Info.Crop, inspector.LastFusedMap, model.Info.Input, threshold);
            }
        }

        Console.WriteLine(json ? JsonSerializer.Serialize(verdict, VerdictJsonContext.Default.Verdict) : Describe(verdict));
        return 0;
    }

    // Checked before the model loads, so a forgotten --template is one line and exit 64, not a model load first.
    private static bool HasGoldenImage(string? configFile, string product)
    {
        var configuration = new ConfigurationBuilder().AddAgentConfiguration(configFile, new Dictionary<string, string?>()).Build();
        return PipelineRegistration.ReadProducts(configuration).TryGetValue(product, out var settings) && !string.IsNullOrWhiteSpace(settings.GoldenImage);
    }

    private static string Describe(Verdict v)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Create(c, $"verdict   {v.Outcome.ToString().ToUpperInvariant()}{(v.Reason is null ? "" : $" ({v.Reason})")}{(v.Detail is null ? "" : $": {v.Detail}")}"),
        };
        if (v.Score is { } score)
        {
            lines.Add(string.Create(c, $"score     {score:F4}  threshold {v.Threshold:F4}  layers [{string.Join(", ", v.Layers!.Select(l => l.ToString("F4", c)))}]"));
        }

        if (v.Alignment is { } a)
        {
            lines.Add(string.Create(c, $"alignment dx {a.Dx:F2} px  dy {a.Dy:F2} px  angle {a.AngleDeg:F3}°  confidence {a.Confidence:F2}"));
        }

        if (v.Peak is { } p)
        {
            lines.Add(string.Create(c, $"peak      template ({p.X:F1}, {p.Y:F1})  AOI image ({p.ImageX:F1}, {p.ImageY:F1})"));
        }

        lines.Add($"model     {v.Model?.Name} {v.Model?.Version} on {v.Model?.Provider}");
        lines.Add(string.Create(c, $"timings   decode {v.TimingsMs.Decode:F1} ms  align {v.TimingsMs.Align:F1} ms  infer {v.TimingsMs.Infer:F1} ms  total {v.TimingsMs.Total:F1} ms"));
        return string.Join(Environment.NewLine, lines);
    }
}
