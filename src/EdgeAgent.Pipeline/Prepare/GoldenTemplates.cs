using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using OpenCvSharp;

namespace EdgeAgent.Pipeline.Prepare;

/// <summary>
/// The golden images of the products whose template source is a golden image (<c>Products:&lt;p&gt;:GoldenImage</c>),
/// loaded once at start: a golden that cannot be read stops the start, because every pair of that product
/// would otherwise be an ERROR. Locating only reads the goldens, so one instance serves every inspector.
/// </summary>
public sealed class GoldenTemplates : IDisposable
{
    private readonly Dictionary<string, (GoldenLocator Locator, SourceFile File)> _byProduct = new(StringComparer.Ordinal);

    /// <summary>Loads the golden of every product in <paramref name="products"/> that names one.</summary>
    /// <exception cref="InvalidDataException">A golden image is missing or unreadable.</exception>
    public GoldenTemplates(IReadOnlyDictionary<string, ProductSettings> products, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(products);
        var reader = new ImageFileReader(limits);
        foreach (var (product, settings) in products.Where(p => !string.IsNullOrWhiteSpace(p.Value.GoldenImage)))
        {
            var path = Path.GetFullPath(settings.GoldenImage!);
            using var golden = reader.Read(path, ImreadModes.Grayscale);
            if (golden.Mat is null)
            {
                Dispose();
                throw new InvalidDataException($"Products:{product}:GoldenImage {path}: {golden.Reason} {golden.Detail}");
            }

            _byProduct[product] = (new GoldenLocator(golden.Mat), new SourceFile(path, golden.Sha256));
        }
    }

    /// <summary>No product uses a golden image.</summary>
    public static GoldenTemplates None { get; } = new(new Dictionary<string, ProductSettings>(), new DecodeLimits());

    /// <summary>The products whose template comes from a golden image.</summary>
    public IReadOnlyCollection<string> Products => _byProduct.Keys;

    /// <summary>True when <paramref name="product"/>'s template comes from a golden image.</summary>
    public bool Covers(string product) => _byProduct.ContainsKey(product);

    /// <summary>The golden file of <paramref name="product"/> (path and SHA-256), as the verdict's template.</summary>
    public SourceFile FileOf(string product) => _byProduct[product].File;

    /// <summary>
    /// The template for <paramref name="imageBgr"/>: the golden's area where the image lies, or a failure
    /// (<see cref="ReasonCode.GoldenNotLocated"/>) when that place is not certain.
    /// </summary>
    public DecodedImage TemplateFor(string product, Mat imageBgr)
    {
        var (locator, file) = _byProduct[product];
        using var match = locator.Locate(imageBgr);
        return match is { Trusted: true, Template: { } template }
            ? new DecodedImage(template.Clone(), null, null, file.Sha256)
            : DecodedImage.Failed(ReasonCode.GoldenNotLocated, $"golden {Path.GetFileName(file.Path)}: {match.UntrustedReason}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (locator, _) in _byProduct.Values)
        {
            locator.Dispose();
        }

        _byProduct.Clear();
    }
}
