using EdgeAgent.Hosting;
using EdgeAgent.Inference.Session;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Inference;

/// <summary>Registers what the ONNX Runtime adapter needs from configuration; sessions are loaded by the model lifecycle at start.</summary>
public static class InferenceRegistration
{
    /// <summary>The model path, execution provider and threads (<c>Model</c>), validated at start.</summary>
    public static IServiceCollection AddInference(this IServiceCollection services) =>
        services.AddValidatedOptions<InferenceOptions>(InferenceOptions.Section);
}
