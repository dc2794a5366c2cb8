using EdgeAgent.Inference.Model;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference.Session;

/// <summary>
/// Checks a graph's inputs and outputs against its kind's contract and its metadata (R, class list), and records
/// what the graph has (template input, map size), so a model that would fail or be misread on the line is refused
/// at load with a reason code instead.
/// </summary>
internal static class ModelSignature
{
    public static ModelInfo Check(IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs, ModelInfo info)
    {
        int r = info.Input;
        var unexpected = inputs.Keys.Except([OnnxModel.ImageInput, OnnxModel.TemplateInput], StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
        {
            throw Shapes($"Model inputs {string.Join(", ", unexpected)} are not part of the contract (only '{OnnxModel.ImageInput}' and '{OnnxModel.TemplateInput}').");
        }

        Expect(inputs, OnnxModel.ImageInput, typeof(byte), [r, r, 3]);
        bool usesTemplate = inputs.ContainsKey(OnnxModel.TemplateInput);
        if (usesTemplate)
        {
            Expect(inputs, OnnxModel.TemplateInput, typeof(byte), [r, r, 1]);
        }

        bool templateRequired = info.Kind is ModelKind.Stpm || (info.Kind is ModelKind.Memseg && info.Memory == "template");
        if (templateRequired && !usesTemplate)
        {
            throw Shapes($"A {info.Kind.Name()} model{(info.Memory is null ? "" : $" with memory '{info.Memory}'")} must take the '{OnnxModel.TemplateInput}' input.");
        }

        var map = (0, 0);
        switch (info.Kind)
        {
            case ModelKind.Stpm:
                Expect(outputs, OnnxModel.MapsOutput, typeof(float), [3, r, r]);
                break;
            case ModelKind.Pairseg:
            case ModelKind.Memseg:
                Expect(outputs, OnnxModel.AnomalyMapOutput, typeof(float), [1, r, r]);
                map = (r, r);
                break;
            case ModelKind.Density:
                Expect(outputs, OnnxModel.ScoreOutput, typeof(float), [1]);
                if (outputs.TryGetValue(OnnxModel.AnomalyMapOutput, out var patches))
                {
                    if (patches.ElementType != typeof(float) || patches.Dimensions.Length != 4 || patches.Dimensions[1] != 1 || patches.Dimensions[2] < 1 || patches.Dimensions[3] < 1)
                    {
                        throw Shapes($"Model tensor '{OnnxModel.AnomalyMapOutput}' must be Single[N,1,h,w] with fixed h and w; it is {Describe(patches)}.");
                    }

                    map = (patches.Dimensions[2], patches.Dimensions[3]);
                }

                break;
        }

        bool hasClasses = outputs.TryGetValue(OnnxModel.ClassProbsOutput, out var probs);
        if (info.Kind == ModelKind.Classifier || hasClasses || info.Classes.Count > 0)
        {
            if (!hasClasses || probs!.ElementType != typeof(float) || probs.Dimensions.Length != 2)
            {
                throw new ModelContractException($"The class list ({info.Classes.Count} names) needs a '{OnnxModel.ClassProbsOutput}' output Single[N,K]; it is {(probs is null ? "absent" : Describe(probs))}.", reason: ModelContractException.ClassMismatch);
            }

            if (probs.Dimensions[1] != info.Classes.Count)
            {
                throw new ModelContractException($"'{OnnxModel.ClassProbsOutput}' has {probs.Dimensions[1]} classes but the metadata names {info.Classes.Count} ({string.Join(",", info.Classes)}).", reason: ModelContractException.ClassMismatch);
            }
        }

        bool hasOod = outputs.ContainsKey(OnnxModel.OodOutput);
        if (hasOod)
        {
            Expect(outputs, OnnxModel.OodOutput, typeof(float), [2]);
        }
        else if (info.OodBound is not null)
        {
            throw Shapes($"The metadata gives an out-of-distribution bound but the graph has no '{OnnxModel.OodOutput}' output.");
        }

        return info with { UsesTemplate = usesTemplate, MapSize = map, HasOodDistance = hasOod };
    }

    private static void Expect(IReadOnlyDictionary<string, NodeMetadata> nodes, string name, Type type, int[] shape)
    {
        if (!nodes.TryGetValue(name, out var node) || node.ElementType != type
            || node.Dimensions.Length != shape.Length + 1 || !node.Dimensions.AsSpan(1).SequenceEqual(shape))
        {
            throw Shapes($"Model tensor '{name}' must be {type.Name}[N,{string.Join(",", shape)}]; it is {(node is null ? "absent" : Describe(node))}.");
        }
    }

    private static string Describe(NodeMetadata node) => $"{node.ElementType.Name}[{string.Join(",", node.Dimensions)}]";

    private static ModelContractException Shapes(string message) => new(message, reason: ModelContractException.InconsistentShapes);
}
