using EdgeAgent.Inference.Session;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Pipeline.Tests.Support;

/// <summary>One loaded bundled model shared by a test class (loading costs a second).</summary>
public sealed class InspectorFixture : IDisposable
{
    public InspectorFixture()
    {
        Model = OnnxModel.Load(RepoPaths.DefaultModel, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance);
        Inspector = Create(Model, new Dictionary<string, ProductSettings>());
    }

    public OnnxModel Model { get; }

    public PairInspector Inspector { get; }

    public static PairInspector Create(OnnxModel model, IReadOnlyDictionary<string, ProductSettings> products, DecodeLimits? limits = null, GoldenTemplates? goldens = null, int maxBatch = 1) =>
        Factory(products, limits, goldens, maxBatch).Create(model);

    public static InspectorFactory Factory(IReadOnlyDictionary<string, ProductSettings> products, DecodeLimits? limits = null, GoldenTemplates? goldens = null, int maxBatch = 1) => new(
        limits ?? new DecodeLimits(),
        new AlignmentOptions(),
        products,
        new StationIdentity("t", "t", "t", "t"),
        new VerdictIdGenerator(TimeProvider.System),
        TimeProvider.System,
        goldens,
        maxBatch);

    public static PairCandidate Candidate(string image, string? template, string product = "default") =>
        new(image, Path.GetFileNameWithoutExtension(image), product, Path.GetDirectoryName(image)!, image, template, DateTimeOffset.UtcNow, new Dictionary<string, string>());

    public void Dispose()
    {
        Inspector.Dispose();
        Model.Dispose();
    }
}
