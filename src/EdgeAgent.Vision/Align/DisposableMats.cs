using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>Owns the Mats an OpenCV call returns as an array (e.g. Split), so one using disposes them all.</summary>
internal sealed class DisposableMats(Mat[] mats) : IDisposable
{
    public Mat this[int index] => mats[index];

    public void Dispose()
    {
        foreach (var mat in mats)
        {
            mat.Dispose();
        }
    }
}
