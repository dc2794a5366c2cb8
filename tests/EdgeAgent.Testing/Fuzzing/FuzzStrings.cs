using CsCheck;

namespace EdgeAgent.Testing.Fuzzing;

/// <summary>
/// Strings an outside party can send: any characters, and more often the ones parsers trip on (control characters,
/// U+FFFD, lone surrogates, path separators, <c>..</c>, quotes, digits and signs, very long runs).
/// </summary>
public static class FuzzStrings
{
    private static readonly string[] Pieces =
    [
        "", ".", "..", "/", "\\", "../", "./", "\0", "\n", "\r", "\t", "\u001b", "\uFFFD", "\uD800", "\uDC00", "\u200B", "\u00e9", "\U0001F600",
        "@", "#", "%", "%00", "%2e%2e", "+", "-", "=", "'", "\"", "{", "}", "[", "]", ":", ",", " ", "*", "?", "$", "^", "(", ")", "|",
        "0", "1", "-1", "9999999999999999999999", "1e309", "NaN", "Infinity", "0x10", "2h", "7d", "30m", "0001-01-01", "9999-12-31",
        "2026-11-23T12:00:00Z", "true", "null", "_image", "_template", ".png", ".PNG", ".jpg", ".bmp", ".tif", "done", "review", "quarantine",
        "LOT42", "S07", "U123", "A", "a", "Z", "OK", "NG", "REVIEW", "ERROR",
    ];

    /// <summary>Strings of up to about <paramref name="maxPieces"/> pieces, each a known troublemaker or random characters.</summary>
    public static Gen<string> Any(int maxPieces = 12) =>
        Gen.Frequency(
            (6, Gen.Int[0, Pieces.Length - 1].Select(i => Pieces[i])),
            (3, Gen.String),
            (1, Gen.Char.Array[0, 8].Select(c => new string(c))),
            (1, Gen.Select(Gen.Char, Gen.Int[1, 5000]).Select(t => new string(t.Item1, t.Item2))))
        .Array[0, maxPieces]
        .Select(parts => string.Concat(parts));
}
