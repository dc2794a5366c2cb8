using System.Globalization;
using EdgeAgent.Score;

namespace EdgeAgent.Inference.Model;

/// <summary>
/// What a model carries in its ONNX metadata (contract <c>stpm-maps/1</c>): geometry (crop C, input R,
/// padding P) and the default scoring parameters.
/// </summary>
public sealed record StpmModelInfo(
    string Name,
    string Version,
    string Arch,
    int Crop,
    int Input,
    int Pad,
    ScoreParameters Scoring,
    string Sha256)
{
    /// <summary>The contract this agent speaks.</summary>
    public const string Contract = "stpm-maps/1";

    /// <summary>Reads and validates the metadata map.</summary>
    /// <exception cref="ModelContractException">A key is missing or malformed.</exception>
    public static StpmModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata, string sha256)
    {
        string Get(string key) => metadata.TryGetValue("edgeagent." + key, out var v) && !string.IsNullOrWhiteSpace(v)
            ? v
            : throw new ModelContractException($"Model metadata lacks 'edgeagent.{key}'.");
        int Int(string key, int min, int max) =>
            int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v
                : throw new ModelContractException($"Model metadata 'edgeagent.{key}' = '{Get(key)}' is not an integer in [{min}, {max}].");

        if (Get("contract") != Contract)
        {
            throw new ModelContractException($"Model contract '{Get("contract")}' is not '{Contract}'.");
        }

        try
        {
            var weights = Get("layer_weights").Split(',').Select(w => double.Parse(w, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList();
            var threshold = double.Parse(Get("threshold"), NumberStyles.Float, CultureInfo.InvariantCulture);
            var scoring = new ScoreParameters(weights, MaskSpec.Parse(Get("mask")), threshold).Validated();
            int input = Int("input", 16, 4096);
            int crop = Int("crop", 16, 8192);
            return new StpmModelInfo(Get("name"), Get("version"), Get("arch"), crop, input, Int("pad", 0, input / 2), scoring, sha256);
        }
        catch (FormatException e)
        {
            throw new ModelContractException($"Model metadata is malformed: {e.Message}", e);
        }
    }
}
