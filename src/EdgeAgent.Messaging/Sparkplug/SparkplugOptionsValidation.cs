using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>The <c>Sparkplug</c> checks beyond the data annotations, at start.</summary>
public sealed class SparkplugOptionsValidation : IValidateOptions<SparkplugOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SparkplugOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Enabled && string.IsNullOrWhiteSpace(options.BdSeqFile)
            ? ValidateOptionsResult.Fail("Sparkplug:BdSeqFile is empty: the bdSeq must survive a restart (the service sets it to sparkplug-bdseq in Storage:DataDirectory)")
            : ValidateOptionsResult.Success;
    }
}
