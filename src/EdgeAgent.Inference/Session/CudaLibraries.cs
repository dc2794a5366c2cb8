using System.Runtime.InteropServices;

namespace EdgeAgent.Inference.Session;

/// <summary>One shared library a GPU execution provider loads, and what to install when it is missing.</summary>
/// <param name="Name">The soname the provider asks the dynamic loader for.</param>
/// <param name="Install">What provides it, worded for the person at the box.</param>
public sealed record CudaLibrary(string Name, string Install);

/// <summary>
/// Which of the libraries the GPU runtime's CUDA and TensorRT providers need are missing on this box. ORT's own
/// error names only the first library the loader tripped over; this names every missing one, so the fallback log
/// line and <c>doctor</c> say in one go what to install.
/// </summary>
public static class CudaLibraries
{
    /// <summary>The provider library only the GPU flavour ships; the CPU flavour's runtime has no CUDA entry points.</summary>
    public const string CudaProvider = "libonnxruntime_providers_cuda.so";

    /// <summary>What ORT 1.32's CUDA provider links (driver, runtime, cuBLAS, cuRAND) or loads at run time (cuDNN): CUDA 13 + cuDNN 9.</summary>
    public static IReadOnlyList<CudaLibrary> Cuda { get; } =
    [
        new("libcuda.so.1", "the NVIDIA driver, 580 or newer (CUDA 13)"),
        new("libcudart.so.13", "the CUDA 13 runtime"),
        new("libcublas.so.13", "cuBLAS for CUDA 13"),
        new("libcublasLt.so.13", "cuBLAS for CUDA 13"),
        new("libcurand.so.10", "cuRAND for CUDA 13"),
        new("libcudnn.so.9", "cuDNN 9 for CUDA 13"),
    ];

    /// <summary>What the TensorRT provider needs on top of <see cref="Cuda"/>.</summary>
    public static IReadOnlyList<CudaLibrary> TensorRt { get; } =
    [
        new("libnvinfer.so.10", "TensorRT 10"),
        new("libnvonnxparser.so.10", "TensorRT 10's ONNX parser"),
    ];

    /// <summary>
    /// Whether this build carries the CUDA provider (the GPU flavour) next to the executable; false for the CPU
    /// flavour and for test outputs that strip it.
    /// </summary>
    public static bool ProviderShipped => File.Exists(Path.Combine(AppContext.BaseDirectory, CudaProvider));

    /// <summary>The libraries of <paramref name="libraries"/> the dynamic loader cannot load here.</summary>
    public static IReadOnlyList<CudaLibrary> Missing(IEnumerable<CudaLibrary> libraries)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        return [.. libraries.Where(library => !CanLoad(library.Name))];
    }

    /// <summary>
    /// "libcudart.so.13, libcublas.so.13 (install: the CUDA 13 runtime; cuBLAS for CUDA 13)": the missing
    /// names, then each install hint once; empty when nothing is missing.
    /// </summary>
    public static string Describe(IReadOnlyList<CudaLibrary> missing)
    {
        ArgumentNullException.ThrowIfNull(missing);
        return missing.Count == 0
            ? ""
            : $"{string.Join(", ", missing.Select(l => l.Name))} (install: {string.Join("; ", missing.Select(l => l.Install).Distinct())})";
    }

    private static bool CanLoad(string name)
    {
        // The same search the provider's own dlopen does (LD_LIBRARY_PATH, ldconfig cache, system folders).
        if (!NativeLibrary.TryLoad(name, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
