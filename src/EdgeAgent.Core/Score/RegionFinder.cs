namespace EdgeAgent.Score;

/// <summary>
/// The pair-segmentation decision rule on a probability map (models/README.md, "pairseg"): regions are the
/// 8-connected components of {p ≥ t}; regions smaller than the model's minimum area are specks and are ignored,
/// so the score is the map's maximum once the specks' pixels are set to 0, and score ≥ t exactly when a region
/// of at least that area exists. With a minimum area of 1 the score is the map's plain maximum (MemSeg).
/// </summary>
public static class RegionFinder
{
    /// <summary>Most regions a verdict lists (largest first); a map full of noise must not make a huge payload.</summary>
    public const int MaxRegions = 16;

    /// <summary>
    /// Reads a <paramref name="width"/>×<paramref name="height"/> map at threshold <paramref name="threshold"/> with
    /// specks below <paramref name="minArea"/> pixels ignored.
    /// </summary>
    public static MapReading Read(ReadOnlySpan<float> map, int width, int height, double threshold, int minArea)
    {
        if (map.Length != width * height)
        {
            throw new ArgumentException($"Expected a {width}×{height} map.", nameof(map));
        }

        // Pooled: a 256² map's labels are 256 KB, a large-object allocation per pair otherwise.
        var labels = System.Buffers.ArrayPool<int>.Shared.Rent(map.Length);
        Array.Clear(labels, 0, map.Length);
        try
        {
            return Label(map, width, height, threshold, minArea, labels);
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(labels);
        }
    }

    private static MapReading Label(ReadOnlySpan<float> map, int width, int height, double threshold, int minArea, int[] labels)
    {
        var stack = new Stack<int>();
        var regions = new List<MapRegion>();
        // isSpeck[label]: the labels array already says which component each pixel belongs to.
        var isSpeck = new List<bool> { false };
        for (int start = 0; start < map.Length; start++)
        {
            if (labels[start] != 0 || !(map[start] >= threshold))
            {
                continue;
            }

            int label = isSpeck.Count;
            int area = 0, minX = width, minY = height, maxX = -1, maxY = -1;
            float max = float.NegativeInfinity;
            labels[start] = label;
            stack.Push(start);
            while (stack.TryPop(out int i))
            {
                int x = i % width, y = i / width;
                area++;
                (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
                max = MathF.Max(max, map[i]);
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if ((uint)nx < (uint)width && (uint)ny < (uint)height && labels[(ny * width) + nx] == 0 && map[(ny * width) + nx] >= threshold)
                        {
                            labels[(ny * width) + nx] = label;
                            stack.Push((ny * width) + nx);
                        }
                    }
                }
            }

            isSpeck.Add(area < minArea);
            if (area >= minArea)
            {
                regions.Add(new MapRegion(minX, minY, maxX - minX + 1, maxY - minY + 1, area, max));
            }
        }

        // Specks count as 0: the score is the map's maximum over every other pixel.
        bool anySpeck = isSpeck.Contains(true);
        int peak = 0;
        float score = anySpeck ? 0 : float.NegativeInfinity;
        for (int i = 0; i < map.Length; i++)
        {
            if (map[i] > score && !isSpeck[labels[i]])
            {
                (peak, score) = (i, map[i]);
            }
        }

        return new MapReading(
            score,
            peak % width,
            peak / width,
            [.. regions.OrderByDescending(r => r.Area).ThenByDescending(r => r.Max).Take(MaxRegions)]);
    }
}

/// <summary>A map's score, where its maximum lies, and its regions (map pixels).</summary>
public sealed record MapReading(double Score, int PeakX, int PeakY, IReadOnlyList<MapRegion> Regions);

/// <summary>One region of a map: bounding box, area and highest value, in map pixels.</summary>
public sealed record MapRegion(int X, int Y, int Width, int Height, int Area, double Max);
