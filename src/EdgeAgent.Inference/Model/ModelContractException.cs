namespace EdgeAgent.Inference.Model;

/// <summary>
/// The model file breaks the EdgeAgent model contract (models/README.md, "Contracts"). <see cref="Reason"/> is the
/// reason code a refused push carries.
/// </summary>
public sealed class ModelContractException(string message, Exception? inner = null, string reason = ModelContractException.WrongContract)
    : Exception(message, inner)
{
    /// <summary>Reason code: the model does not load, or its contract or metadata is wrong.</summary>
    public const string WrongContract = "WRONG_CONTRACT";

    /// <summary>Reason code: <c>edgeagent.kind</c> names no kind this agent runs.</summary>
    public const string UnknownKind = "UNKNOWN_KIND";

    /// <summary>Reason code: the graph's inputs or outputs do not have the shapes its kind and metadata require.</summary>
    public const string InconsistentShapes = "INCONSISTENT_SHAPES";

    /// <summary>Reason code: the file does not have the SHA-256 it was verified and installed with.</summary>
    public const string HashMismatch = "MODEL_HASH_MISMATCH";

    /// <summary>Reason code: the class list in the metadata does not match the class output.</summary>
    public const string ClassMismatch = "CLASS_MISMATCH";

    /// <summary>Why the model was refused, as a reason code.</summary>
    public string Reason { get; } = reason;
}
