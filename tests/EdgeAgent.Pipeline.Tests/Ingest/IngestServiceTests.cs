using System.Text;
using System.Threading.Channels;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Health;
using EdgeAgent.Pipeline.Ingest;
using EdgeAgent.Publish;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline.Tests.Ingest;

/// <summary>
/// Ingest against real folders, real links and a real journal: what a hostile or broken AOI folder (link loops, links
/// out of the folder, names that are not UTF-8) gets from the rescan.
/// </summary>
public sealed class IngestServiceTests : IDisposable
{
    // Generous: a pass over a handful of files takes milliseconds; this only bounds a test that would otherwise hang.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempFolder _temp = new();
    private readonly string _aoi;
    private readonly VerdictLog _journal;
    private readonly Channel<PairCandidate> _pairs = Channel.CreateUnbounded<PairCandidate>();
    private readonly PipelineProgress _progress = new(TimeProvider.System);

    public IngestServiceTests()
    {
        _aoi = _temp.Sub("aoi");
        _journal = VerdictLog.Open(Path.Combine(_temp.Sub("data"), "edgeagent.db"));
    }

    [Fact]
    public async Task Rescan_DirectoryLinkLoop_FinishesAndReleasesThePairOnce()
    {
        var loop = Directory.CreateDirectory(Path.Combine(_aoi, "loop")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(loop, "up"), _aoi);
        Directory.CreateSymbolicLink(Path.Combine(loop, "self"), ".");
        WritePair(Path.Combine(_aoi, "p1"), "L1_S1_U1_D1");

        var released = await RunUntilAsync(Options(), p => p.PairId == "L1_S1_U1_D1");

        Assert.Equal(Path.Combine(_aoi, "p1", "L1_S1_U1_D1_image.png"), Assert.Single(released).ImagePath);
        Assert.Null(_progress.IncompleteScan);
    }

    [Fact]
    public async Task Rescan_FollowingLinksWithALoop_EntersEachLinkedFolderOnce()
    {
        var outside = _temp.Sub("elsewhere");
        WritePair(outside, "L9_S9_U9_D9");
        Directory.CreateSymbolicLink(Path.Combine(outside, "back"), _aoi); // a loop through the followed folder
        Directory.CreateSymbolicLink(Path.Combine(_aoi, "p9"), outside);
        Directory.CreateSymbolicLink(Path.Combine(_aoi, "again"), outside); // the same place twice
        var loop = Directory.CreateDirectory(Path.Combine(_aoi, "loop")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(loop, "up"), _aoi);
        Directory.CreateSymbolicLink(Path.Combine(loop, "self"), ".");
        WritePair(Path.Combine(_aoi, "p1"), "L1_S1_U1_D1");
        var options = Options();
        options.FollowSymlinks = true;

        var released = await RunUntilAsync(options, p => p.PairId == "L1_S1_U1_D1", p => p.PairId == "L9_S9_U9_D9");

        Assert.Equal(["L1_S1_U1_D1", "L9_S9_U9_D9"], released.Select(p => p.PairId).Order());
        Assert.Null(_progress.IncompleteScan);
    }

    [Fact]
    public async Task Rescan_MoreEntriesThanTheBudget_ReportedIncomplete()
    {
        for (var i = 0; i < 600; i++)
        {
            WritePair(Path.Combine(_aoi, "p1"), $"L{i}_S1_U1_D1");
        }

        var options = Options();
        options.MaxScanEntries = 1_000;

        await RunUntilAsync(options, _ => true);

        Assert.Contains("Ingest:MaxScanEntries", _progress.IncompleteScan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rescan_DirectoryLinkOutOfTheFolder_OutsidePairNotReleased()
    {
        var outside = _temp.Sub("elsewhere");
        WritePair(outside, "L9_S9_U9_D9");
        Directory.CreateSymbolicLink(Path.Combine(_aoi, "p9"), outside);
        WritePair(Path.Combine(_aoi, "p1"), "L1_S1_U1_D1");

        var released = await RunUntilAsync(Options(), p => p.PairId == "L1_S1_U1_D1");

        Assert.DoesNotContain(released, p => p.PairId == "L9_S9_U9_D9");
    }

    [Fact]
    public async Task Watcher_FileLinkOutOfTheFolderMadeLater_NotReleased()
    {
        var outside = _temp.Sub("elsewhere");
        WritePair(outside, "L9_S9_U9_D9");
        var p1 = Path.Combine(_aoi, "p1");
        WritePair(p1, "L1_S1_U1_D1");
        var options = Options();
        options.RescanInterval = TimeSpan.FromMinutes(30); // only the watcher's hints can bring the later files

        var released = await RunUntilAsync(options, [p => p.PairId == "L1_S1_U1_D1"], () =>
        {
            File.CreateSymbolicLink(Path.Combine(p1, "L9_S9_U9_D9_image.png"), Path.Combine(outside, "L9_S9_U9_D9_image.png"));
            File.CreateSymbolicLink(Path.Combine(p1, "L9_S9_U9_D9_template.png"), Path.Combine(outside, "L9_S9_U9_D9_template.png"));
            WritePair(p1, "L2_S1_U1_D1"); // written after, so its release ends the wait
        }, p => p.PairId == "L2_S1_U1_D1");

        Assert.DoesNotContain(released, p => p.PairId == "L9_S9_U9_D9");
    }

    [Fact]
    public async Task Rescan_FileLinkOutOfTheFolder_NotReleased()
    {
        var outside = _temp.Sub("elsewhere");
        WritePair(outside, "L9_S9_U9_D9");
        var p1 = Path.Combine(_aoi, "p1");
        WritePair(p1, "L1_S1_U1_D1");
        File.CreateSymbolicLink(Path.Combine(p1, "L9_S9_U9_D9_image.png"), Path.Combine(outside, "L9_S9_U9_D9_image.png"));
        File.CreateSymbolicLink(Path.Combine(p1, "L9_S9_U9_D9_template.png"), Path.Combine(outside, "L9_S9_U9_D9_template.png"));

        var released = await RunUntilAsync(Options(), p => p.PairId == "L1_S1_U1_D1");

        Assert.DoesNotContain(released, p => p.PairId == "L9_S9_U9_D9");
    }

    [Fact]
    public async Task Rescan_NameNotUtf8_ReleasedWithTheReplacementCharacter()
    {
        var p1 = _temp.Sub("aoi/p1");
        RawFileNames.Write(p1, [.. "bad"u8, 0xFF, 0xFE, .. "name_image.png"u8], Png());
        RawFileNames.Write(p1, [.. "bad"u8, 0xFF, 0xFE, .. "name_template.png"u8], Png());

        var released = await RunUntilAsync(Options(), p => p.ImagePath.Contains('\uFFFD', StringComparison.Ordinal));

        var pair = Assert.Single(released);
        Assert.Equal("bad\uFFFD\uFFFDname_image.png", Path.GetFileName(pair.ImagePath));
        Assert.False(File.Exists(pair.ImagePath)); // why it needs its own verdict: the string cannot reopen the file
    }

    [Fact]
    public async Task Rescan_JudgedPairBackInTheFolderWithMove_MovedByItsStoredVerdictNotReleasedAgain()
    {
        // The agent stored this pair's NG verdict, then stopped before moving its files (or a power cut undid the move).
        var judged = await JudgedNgAsync("L1_S1_U1_D1");
        WritePair(_temp.Sub("aoi/UBM"), "L2_S2_U2_D2");

        var move = Options();
        move.AfterProcessing = AfterProcessing.Move;
        var released = await RunUntilAsync(move, p => p.PairId == "L2_S2_U2_D2");

        Assert.DoesNotContain(released, p => p.PairId == "L1_S1_U1_D1");
        Assert.Equal(["L1_S1_U1_D1_image.png", "L1_S1_U1_D1_template.png"], Directory.GetFiles(Path.Combine(_aoi, "done", "UBM")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["L2_S2_U2_D2_image.png", "L2_S2_U2_D2_template.png"], Directory.GetFiles(Path.Combine(_aoi, "UBM")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rescan_JudgedPairStoppedBetweenItsTwoMoves_ImageFollowsItsTemplateToDone()
    {
        // The template is moved first; the agent stopped before the image followed.
        var judged = await JudgedNgAsync("L1_S1_U1_D1");
        Directory.CreateDirectory(Path.Combine(_aoi, "done", "UBM"));
        File.Move(judged.TemplatePath!, Path.Combine(_aoi, "done", "UBM", "L1_S1_U1_D1_template.png"));
        WritePair(_temp.Sub("aoi/UBM"), "L2_S2_U2_D2");

        var move = Options();
        move.AfterProcessing = AfterProcessing.Move;
        move.TemplateWait = TimeSpan.Zero; // an image without its template is released in the first pass, with L2
        var released = await RunUntilAsync(move, p => p.PairId == "L2_S2_U2_D2");

        Assert.DoesNotContain(released, p => p.PairId == "L1_S1_U1_D1");
        Assert.Equal(["L1_S1_U1_D1_image.png", "L1_S1_U1_D1_template.png"], Directory.GetFiles(Path.Combine(_aoi, "done", "UBM")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    public void Dispose()
    {
        _journal.Dispose();
        _temp.Dispose();
    }

    private static IngestOptions Options() => new()
    {
        Folders = [],
        RescanInterval = TimeSpan.FromMilliseconds(100),
        SettleTime = TimeSpan.Zero,
        IncompleteTimeout = TimeSpan.FromSeconds(1),
        TemplateWait = TimeSpan.FromSeconds(1),
    };

    // Runs ingest until a pair matching the condition is released, stops it, and returns every pair it released:
    // the pairs of one pass are written before the next pass begins, so those of the wanted pair's pass are all in.
    private Task<List<PairCandidate>> RunUntilAsync(IngestOptions options, params Func<PairCandidate, bool>[] wanted) =>
        RunUntilAsync(options, wanted, () => { });

    // As above; once the first pairs are in, <paramref name="then"/> runs and ingest goes on until <paramref name="last"/> is released.
    private async Task<List<PairCandidate>> RunUntilAsync(IngestOptions options, Func<PairCandidate, bool>[] wanted, Action then, Func<PairCandidate, bool>? last = null)
    {
        options.Folders = [_aoi];
        var settings = Microsoft.Extensions.Options.Options.Create(options);
        using var service = new IngestService(settings, _pairs.Writer, _journal, new ProcessedFiles(settings, NullLogger<ProcessedFiles>.Instance), new OutboxGate(100),
            _progress, TimeProvider.System, NullLogger<IngestService>.Instance);
        using var patience = new CancellationTokenSource(Patience);
        var released = new List<PairCandidate>();
        await service.StartAsync(patience.Token);
        try
        {
            while (!wanted.All(released.Any))
            {
                released.Add(await _pairs.Reader.ReadAsync(patience.Token));
            }

            if (last is not null)
            {
                then();
                while (!released.Any(last))
                {
                    released.Add(await _pairs.Reader.ReadAsync(patience.Token));
                }
            }
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }

        while (_pairs.Reader.TryRead(out var more))
        {
            released.Add(more);
        }

        return released;
    }

    private static void WritePair(string folder, string id)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, $"{id}_image.png"), Png());
        File.WriteAllBytes(Path.Combine(folder, $"{id}_template.png"), Png());
    }

    // A pair in aoi/UBM that ingest released and the journal holds an NG verdict for, its files left in place.
    private async Task<PairCandidate> JudgedNgAsync(string pairId)
    {
        WritePair(_temp.Sub("aoi/UBM"), pairId);
        var judged = Assert.Single(await RunUntilAsync(Options(), p => p.PairId == pairId));
        var id = Assert.Single(_journal.RecordSeen([judged]));
        _journal.Append([(Ng(id, judged), judged.Key)]);
        return judged;
    }

    private static Verdict Ng(string id, PairCandidate pair) => new()
    {
        Id = id,
        Seq = 0,
        PairId = pair.PairId,
        Product = pair.Product,
        Image = new SourceFile(pair.ImagePath, null),
        Outcome = VerdictKind.Ng,
        Reason = ReasonCode.ScoreAboveThreshold,
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = new StationIdentity("s", "a", "l", "st"),
        JudgedAt = DateTimeOffset.UtcNow,
    };

    // Ingest only looks at the end marker; the pixels are the inspector's business.
    private static byte[] Png() => [0x89, .. Encoding.ASCII.GetBytes("PNG\r\n\u001a\n"), .. new byte[32], 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];
}
