using EdgeAgent.Inference.Session;

namespace EdgeAgent.Inference.Tests.Session;

public sealed class CudaLibrariesTests
{
    [Fact]
    public void Missing_LibraryTheLoaderFinds_IsNotReported()
    {
        var missing = CudaLibraries.Missing([new("libc.so.6", "glibc"), new("libedgeagent-absent.so.1", "nothing")]);

        Assert.Equal("libedgeagent-absent.so.1", Assert.Single(missing).Name);
    }

    [Fact]
    public void Missing_BoxWithoutTheNvidiaStack_NamesEveryCudaAndTensorRtLibrary()
    {
        // CI and the development boxes have no NVIDIA driver; on a GPU box this test proves nothing and returns.
        if (File.Exists("/dev/nvidia0"))
        {
            return;
        }

        Assert.Equal(
            ["libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10", "libcudnn.so.9"],
            CudaLibraries.Missing(CudaLibraries.Cuda).Select(l => l.Name));
        Assert.Equal(["libnvinfer.so.10", "libnvonnxparser.so.10"], CudaLibraries.Missing(CudaLibraries.TensorRt).Select(l => l.Name));
    }

    [Fact]
    public void Describe_TwoLibrariesOfOnePackage_NamesBothAndTheInstallOnce()
    {
        var text = CudaLibraries.Describe([.. CudaLibraries.Cuda.Where(l => l.Name.StartsWith("libcublas", StringComparison.Ordinal))]);

        Assert.Equal("libcublas.so.13, libcublasLt.so.13 (install: cuBLAS for CUDA 13)", text);
    }

    [Fact]
    public void Describe_NothingMissing_IsEmpty() => Assert.Equal("", CudaLibraries.Describe([]));
}
