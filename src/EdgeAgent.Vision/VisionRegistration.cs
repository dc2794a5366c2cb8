using EdgeAgent.Hosting;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Vision;

/// <summary>Registers what the OpenCV adapter needs from configuration.</summary>
public static class VisionRegistration
{
    /// <summary>Decoding limits (<c>Decode</c>) and alignment settings (<c>Alignment</c>), validated at start.</summary>
    public static IServiceCollection AddVision(this IServiceCollection services) => services
        .AddValidatedOptions<DecodeLimits>(DecodeLimits.Section)
        .AddValidatedOptions<AlignmentOptions>(AlignmentOptions.Section);
}
