using EdgeAgent.Align;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>A 2-D affine map x' = A·x + t in doubles (the top two rows of a 3×3 homogeneous matrix).</summary>
internal readonly record struct Matrix3(double M00, double M01, double M02, double M10, double M11, double M12)
{
    public static Matrix3 FromAffine(Mat affine) => new(
        affine.At<double>(0, 0), affine.At<double>(0, 1), affine.At<double>(0, 2),
        affine.At<double>(1, 0), affine.At<double>(1, 1), affine.At<double>(1, 2));

    /// <summary>x' = R(θ)·(x − c) + c + (dx, dy), with R the rotation of <see cref="AlignmentWarp"/>'s matrices.</summary>
    public static Matrix3 Rigid(double theta, double dx, double dy, double cx, double cy)
    {
        var (sin, cos) = Math.SinCos(theta);
        return new Matrix3(cos, -sin, cx + dx - (cos * cx) + (sin * cy), sin, cos, cy + dy - (sin * cx) - (cos * cy));
    }

    public (double X, double Y) Apply(double x, double y) => ((M00 * x) + (M01 * y) + M02, (M10 * x) + (M11 * y) + M12);

    /// <summary>this ∘ other: apply <paramref name="other"/> first.</summary>
    public Matrix3 Multiply(Matrix3 other) => new(
        (M00 * other.M00) + (M01 * other.M10), (M00 * other.M01) + (M01 * other.M11), (M00 * other.M02) + (M01 * other.M12) + M02,
        (M10 * other.M00) + (M11 * other.M10), (M10 * other.M01) + (M11 * other.M11), (M10 * other.M02) + (M11 * other.M12) + M12);

    public Matrix3 Inverse()
    {
        var det = (M00 * M11) - (M01 * M10);
        double a = M11 / det, b = -M01 / det, c = -M10 / det, d = M00 / det;
        return new Matrix3(a, b, -((a * M02) + (b * M12)), c, d, -((c * M02) + (d * M12)));
    }

    /// <summary>
    /// Reads a template→image map as an <see cref="Alignment"/> (inverse of AlignmentWarp.TemplateToImageMatrix
    /// for equal sizes): t = c − R·(c + d), so d = −Rᵀ·(t − c) − c. Any scale in the matrix is ignored.
    /// </summary>
    public Alignment ToAlignment(double cx, double cy)
    {
        var angle = Math.Atan2(M10, M00);
        var (sin, cos) = Math.SinCos(angle);
        double ux = M02 - cx, uy = M12 - cy;
        var tcx = -((cos * ux) + (sin * uy));
        var tcy = -((-sin * ux) + (cos * uy));
        return new Alignment(tcx - cx, tcy - cy, angle * 180 / Math.PI, 0);
    }

    /// <summary>Inverse of a symmetric positive-definite 3×3 matrix (the Gauss–Newton Hessian), by cofactors.</summary>
    public static double[,] Invert(double[,] m)
    {
        var c00 = (m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1]);
        var c01 = (m[1, 2] * m[2, 0]) - (m[1, 0] * m[2, 2]);
        var c02 = (m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0]);
        var det = (m[0, 0] * c00) + (m[0, 1] * c01) + (m[0, 2] * c02);
        return new[,]
        {
            { c00 / det, ((m[0, 2] * m[2, 1]) - (m[0, 1] * m[2, 2])) / det, ((m[0, 1] * m[1, 2]) - (m[0, 2] * m[1, 1])) / det },
            { c01 / det, ((m[0, 0] * m[2, 2]) - (m[0, 2] * m[2, 0])) / det, ((m[0, 2] * m[1, 0]) - (m[0, 0] * m[1, 2])) / det },
            { c02 / det, ((m[0, 1] * m[2, 0]) - (m[0, 0] * m[2, 1])) / det, ((m[0, 0] * m[1, 1]) - (m[0, 1] * m[1, 0])) / det },
        };
    }
}
