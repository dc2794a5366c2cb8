using OpenCvSharp;

namespace EdgeAgent.Vision.Crop;

/// <summary>
/// Step 2 of the score definition: the centred C×C window (top-left ⌊(H−C)/2⌋, ⌊(W−C)/2⌋), resized to
/// R×R with INTER_AREA when R ≠ C, written straight into the model's input buffer.
/// </summary>
public static class CentreCrop
{
    /// <summary>The crop window for an image of the given size.</summary>
    public static Rect Window(Size size, int crop) => new((size.Width - crop) / 2, (size.Height - crop) / 2, crop, crop);

    /// <summary>Copies the crop of <paramref name="source"/> (8-bit, any channel count) into <paramref name="destination"/> as R×R×channels.</summary>
    public static void CopyTo(Mat source, int crop, int input, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        CopyTo(source, Window(source.Size(), crop), input, destination);
    }

    /// <summary>Copies <paramref name="window"/> of <paramref name="source"/> into <paramref name="destination"/>, resized to R×R with INTER_AREA when its side differs.</summary>
    public static void CopyTo(Mat source, Rect window, int input, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var roi = new Mat(source, window);
        if (input == window.Width)
        {
            CopyRows(roi, destination);
            return;
        }

        using var resized = new Mat();
        Cv2.Resize(roi, resized, new Size(input, input), 0, 0, InterpolationFlags.Area);
        CopyRows(resized, destination);
    }

    // Row by row: an ROI is not continuous, and this avoids cloning it.
    private static unsafe void CopyRows(Mat mat, Span<byte> destination)
    {
        int rows = mat.Rows;
        int rowBytes = mat.Cols * mat.ElemSize();
        if (destination.Length != rowBytes * rows)
        {
            throw new ArgumentException($"Destination holds {destination.Length} bytes, the crop {rowBytes * rows}.", nameof(destination));
        }

        for (int y = 0; y < rows; y++)
        {
            new ReadOnlySpan<byte>((void*)mat.Ptr(y), rowBytes).CopyTo(destination.Slice(y * rowBytes, rowBytes));
        }
    }
}
