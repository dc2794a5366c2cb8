using System.CommandLine;
using EdgeAgent.Dashboard.Data;
using EdgeAgent.Dashboard.Labels;
using EdgeAgent.Dashboard.Pictures;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Ingest;
using EdgeAgent.Storage.Log;

namespace EdgeAgent.Host.Cli;

/// <summary><c>edgeagent labels export</c>: judged (and decided) pairs back to the lab, as a training set its recipes read.</summary>
internal static class LabelsVerb
{
    public static Command Command()
    {
        var command = new Command("labels", "labelled pairs for the lab");
        command.Subcommands.Add(Export());
        return command;
    }

    public static int Run(string? configFile, string? dataDir, string since, string? until, string? product, bool decidedOnly, string output)
    {
        var now = TimeProvider.System.GetUtcNow();
        var from = CliOptions.Time(since, now, "since");
        var to = until is null ? (DateTimeOffset?)null : CliOptions.Time(until, now, "until");
        var folder = Path.GetFullPath(output);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw new UsageException($"--out {output} is not empty: an export goes into a new or empty folder, so no older labels.csv row points at a file it did not write.");
        }

        using var options = VerbOptions.Read(configFile);
        var storage = options.Get<VerdictLogOptions>();
        storage.DataDirectory = dataDir ?? storage.DataDirectory;
        using var log = VerdictLog.OpenReadOnly(storage.DatabasePath);
        var export = new LabelExport(new VerdictFiles(options.Get<IngestOptions>().Folders));
        // The whole selection, newest first, read as the dashboard reads it (LogReader.Chunk at a time): short reads
        // never hold up the running agent's checkpoints. No cap: an export takes every pair of the range.
        using var reader = new LogReader(log, int.MaxValue);
        var summary = export.Export(reader.Scan(new VerdictQuery(from, to, Product: product)), ids => log.DecisionsOf(ids), decidedOnly, folder);
        Console.WriteLine($"{folder}: {summary}");
        Console.WriteLine($"labels in {Path.Combine(folder, LabelExport.LabelsFile)}, skipped pairs and why in {Path.Combine(folder, LabelExport.SkippedFile)}");
        return 0;
    }

    private static Command Export()
    {
        var dataDir = CliOptions.Text("--data-dir", "DIR", "the agent's data directory [default: Storage:DataDirectory of the configuration]");
        var since = CliOptions.Required("--since", "2h|ISO", "pairs judged since then (30m, 2h, 7d or an ISO time)");
        var until = CliOptions.Text("--until", "ISO", "pairs judged before then");
        var product = CliOptions.Text("--product", "P", "only this product");
        var decidedOnly = CliOptions.Flag("--decided-only", "only pairs a person decided (label = the decision)");
        var output = CliOptions.Required("--out", "DIR", "new or empty folder for labels.csv, skipped.csv and <product>/ files");
        var config = CliOptions.Config();
        var command = new Command("export", "writes judged pairs and labels.csv in the format models/train's recipes read")
            .With(dataDir, since, until, product, decidedOnly, output, config);
        command.SetAction((result, _) => Task.FromResult(Run(result.GetValue(config), result.GetValue(dataDir), result.GetRequiredValue(since),
            result.GetValue(until), result.GetValue(product), result.GetValue(decidedOnly), result.GetRequiredValue(output))));
        return command;
    }
}
