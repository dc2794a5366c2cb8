namespace EdgeAgent.Inference.Model;

/// <summary>The model file is not a valid EdgeAgent STPM model (see models/README.md, "Contract").</summary>
public sealed class ModelContractException(string message, Exception? inner = null) : Exception(message, inner);
