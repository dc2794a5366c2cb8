namespace EdgeAgent.Verdicts;

/// <summary>
/// Reason codes carried by every non-OK verdict. They are part of the published contract:
/// consumers switch on them, so never rename one; add new ones instead.
/// </summary>
public static class ReasonCode
{
    /// <summary>NG: score at or above the threshold.</summary>
    public const string ScoreAboveThreshold = "SCORE_ABOVE_THRESHOLD";

    /// <summary>REVIEW: the alignment could not be trusted, so the score would mean nothing.</summary>
    public const string AlignmentUntrusted = "ALIGNMENT_UNTRUSTED";

    /// <summary>REVIEW: the model failed to run on this pair.</summary>
    public const string InferenceFailed = "INFERENCE_FAILED";

    /// <summary>REVIEW: the pair's processing failed in an unexpected way; details in the log.</summary>
    public const string InternalError = "INTERNAL_ERROR";

    /// <summary>ERROR: the image or template file could not be read (vanished, permissions, I/O).</summary>
    public const string ReadFailed = "READ_FAILED";

    /// <summary>ERROR: the file is empty.</summary>
    public const string EmptyFile = "EMPTY_FILE";

    /// <summary>ERROR: the file ends before its format's end marker.</summary>
    public const string Truncated = "TRUNCATED";

    /// <summary>ERROR: not a supported image, or the decoder rejected it.</summary>
    public const string DecodeFailed = "DECODE_FAILED";

    /// <summary>ERROR: dimensions or file size beyond the configured limits (decompression bombs included).</summary>
    public const string TooLarge = "TOO_LARGE";

    /// <summary>ERROR: the image is smaller than the model's crop.</summary>
    public const string TooSmall = "TOO_SMALL";

    /// <summary>ERROR: image and template differ in size.</summary>
    public const string SizeMismatch = "SIZE_MISMATCH";

    /// <summary>ERROR: no template arrived for the image within the configured wait.</summary>
    public const string TemplateMissing = "TEMPLATE_MISSING";

    /// <summary>REVIEW: the agent died while judging this pair each time it was resumed, <see cref="MaxJudgingAttempts"/> times; it is not tried again.</summary>
    public const string CrashedWhileJudging = "CRASHED_WHILE_JUDGING";

    /// <summary>Resumed attempts at judging one pair (after the process stopped with it unjudged) before it is given up as <see cref="CrashedWhileJudging"/>.</summary>
    public const int MaxJudgingAttempts = 3;

    /// <summary>REVIEW: the image's place in its product's golden image is not certain (no clear match, or a periodic layout repeats it).</summary>
    public const string GoldenNotLocated = "GOLDEN_NOT_LOCATED";

    /// <summary>REVIEW: no model is active for the pair's product route (its push failed or it was never installed).</summary>
    public const string ModelUnavailable = "MODEL_UNAVAILABLE";

    /// <summary>REVIEW: the pair's template or image lies beyond the model's out-of-distribution bound: the model was not trained on anything like it.</summary>
    public const string OutOfDistribution = "OUT_OF_DISTRIBUTION";

    /// <summary>REVIEW: the product is neither named in <c>Products</c> nor among the default model's trained products (and <c>Routing:UnknownProducts</c> is <c>Review</c>).</summary>
    public const string ProductNotRouted = "PRODUCT_NOT_ROUTED";

    /// <summary>
    /// REVIEW: the score lies in the product's uncertainty band, at or above <c>ThresholdOk</c> and below the NG threshold:
    /// too high for the box to vouch for OK, too low to call NG, so a person decides.
    /// </summary>
    public const string Uncertain = "UNCERTAIN";

    /// <summary>
    /// ERROR: the image's file name is not valid UTF-8. .NET reads such a name with U+FFFD in place of the bad bytes, and
    /// that string names no file, so the pair cannot be read; the published path carries the U+FFFD.
    /// </summary>
    public const string UnreadableName = "UNREADABLE_NAME";
}
