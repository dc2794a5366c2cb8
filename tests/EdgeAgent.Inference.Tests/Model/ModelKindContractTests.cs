using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using EdgeAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Inference.Tests.Model;

/// <summary>Every kind loads through one contract family; a model that breaks it is refused with the reason code a push carries.</summary>
public sealed class ModelKindContractTests
{
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu };

    [Theory]
    [InlineData("classifier_ng", ModelKind.Classifier, false)]
    [InlineData("pairseg_blob", ModelKind.Pairseg, true)]
    [InlineData("density_high", ModelKind.Density, false)]
    [InlineData("memseg_low", ModelKind.Memseg, true)]
    public void Load_EachKind_ReadsItsKindAndWhetherItTakesTheTemplate(string stem, ModelKind kind, bool usesTemplate)
    {
        using var model = OnnxModel.Load(RepoPaths.Tiny(stem), Cpu, NullLogger.Instance);

        Assert.Equal((kind, usesTemplate, 256, 64), (model.Info.Kind, model.Info.UsesTemplate, model.Info.Crop, model.Info.Input));
    }

    [Theory]
    [InlineData("unknown_kind", ModelContractException.UnknownKind, "fancy")]
    [InlineData("class_mismatch", ModelContractException.ClassMismatch, "names 3")]
    [InlineData("ood_no_output", ModelContractException.InconsistentShapes, "ood_distance")]
    public void Load_ModelBreakingItsContract_IsRefusedWithItsReasonCode(string stem, string reason, string detail)
    {
        var e = Assert.Throws<ModelContractException>(() => OnnxModel.Load(RepoPaths.Tiny(stem), Cpu, NullLogger.Instance));

        Assert.Equal(reason, e.Reason);
        Assert.Contains(detail, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelWithItsTrainingDistribution_ReadsTheBoundTheProductsAndTheDistanceOutput()
    {
        using var model = OnnxModel.Load(RepoPaths.Tiny("pairseg_far"), Cpu, NullLogger.Instance);

        Assert.Equal((true, 3.0, "UBM"), (model.Info.HasOodDistance, model.Info.OodBound, string.Join(",", model.Info.TrainedProducts)));
    }

    [Fact]
    public void Load_StpmWithoutTemplateInput_IsInconsistentShapes()
    {
        // The contract-test STPM model, its template input renamed: an STPM graph must take the template.
        var path = Path.Combine(Path.GetTempPath(), $"edgeagent-noinput-{Guid.NewGuid():N}.onnx");
        var bytes = File.ReadAllBytes(RepoPaths.SmallModel);
        var name = "template"u8.ToArray();
        var renamed = "tEmplate"u8.ToArray();
        for (int i = 0; i + name.Length <= bytes.Length; i++)
        {
            if (bytes.AsSpan(i, name.Length).SequenceEqual(name))
            {
                renamed.CopyTo(bytes, i);
            }
        }

        File.WriteAllBytes(path, bytes);
        try
        {
            var e = Assert.Throws<ModelContractException>(() => OnnxModel.Load(path, Cpu, NullLogger.Instance));

            Assert.Equal(ModelContractException.InconsistentShapes, e.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
