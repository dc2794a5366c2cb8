using EdgeAgent.Ingest;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline.Ingest;

/// <summary>
/// The after-processing rule. Default <see cref="AfterProcessing.Leave"/>: the AOI's files stay put and
/// the journal remembers the pair. With <see cref="AfterProcessing.Move"/>, files go under the watched
/// folder to done/ (OK, NG), review/ (REVIEW) or quarantine/ (ERROR), keeping their relative path.
/// Never deletes. A move that fails is logged and the files stay; the verdict is already stored.
/// </summary>
public sealed class ProcessedFiles(IOptions<IngestOptions> options, ILogger<ProcessedFiles> logger)
{
    /// <summary>Applies the rule to one judged pair.</summary>
    public void Apply(PairCandidate pair, VerdictKind outcome)
    {
        if (options.Value.AfterProcessing == AfterProcessing.Leave)
        {
            return;
        }

        // The template first: a stop between the two moves then leaves the image, by which the next rescan finds the
        // judged pair and moves it (IngestService); a lone template would be found by nothing.
        foreach (var path in new[] { pair.TemplatePath, pair.ImagePath })
        {
            if (path is null)
            {
                continue;
            }

            var destination = ProcessedLocation.Destination(pair.WatchedFolder, path, outcome);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Move(path, destination, overwrite: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone from here and there already: moved by the other path (a resumed pair's files, stored by the
                // journal writer and found again by a rescan at the same time), not a failure.
                if (!File.Exists(path) && File.Exists(destination))
                {
                    continue;
                }

                Log.MoveFailed(logger, path, destination, e.Message);
            }
        }
    }
}
