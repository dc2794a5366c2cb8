using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using EdgeAgent.Dashboard.Labels;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Dashboard.Users;
using EdgeAgent.Decisions;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Tests.Labels;

/// <summary>
/// Labels back to the lab: pairs judged by the real model into a real journal, one decided by a person, one file changed
/// and one gone since; <c>edgeagent labels export</c> as a real process, then the lab's recipe on what it wrote.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LabelExportTests : IDisposable
{
    private const string GeneratorColumns = "product,id,image,template,label,defect,dx,dy,angle_deg,mask";
    private readonly TempFolder _temp = new("edgeagent-labels-");

    [Fact]
    public void LabelsExport_JudgedAndDecidedPairs_FeedTrainStpmUnchangedForOneEpoch()
    {
        var watched = _temp.Sub("aoi");
        var data = _temp.Sub("data");
        IReadOnlyList<StoredVerdict> judged;
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            judged = JudgedPairs.Judge(log, watched, 12, seed: 5);
            var ng = judged.First(j => j.Verdict.Outcome == VerdictKind.Ng).Verdict;
            // A person overrules one NG: the label is the decision, not the AI's verdict.
            Assert.Equal(DecisionStatus.Stored, log.RecordDecision(new DecisionRequest(ng.Id, VerdictKind.Ok, null, "a fibre, cleaned", "ana", "supervisor", false), DateTimeOffset.UtcNow).Status);
        }

        var decided = judged.First(j => j.Verdict.Outcome == VerdictKind.Ng).Verdict;
        var others = judged.Select(j => j.Verdict).Where(v => v.Id != decided.Id && v.Outcome == VerdictKind.Ok).ToList();
        File.AppendAllText(others[0].Image.Path, "changed after judging");
        File.Delete(others[1].Template!.Path);
        var config = Path.Combine(_temp.Path, "edgeagent.json");
        File.WriteAllText(config, $$$"""{"Ingest":{"Folders":["{{{watched}}}"]}}""");
        var export = Path.Combine(_temp.Path, "export");

        var (code, stdout, stderr) = AgentProcess.Run("labels", "export", "--since", "1h", "--data-dir", data, "--out", export, "--config", config);

        Assert.True(code == 0, stdout + stderr);
        var lines = File.ReadAllLines(Path.Combine(export, LabelExport.LabelsFile));
        Assert.StartsWith(GeneratorColumns + ",", lines[0], StringComparison.Ordinal);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
        var labelled = judged.Count(j => j.Verdict.Outcome is VerdictKind.Ok or VerdictKind.Ng);
        Assert.Equal(labelled - 2, rows.Count);
        var row = Assert.Single(rows, r => r["verdict_id"] == decided.Id);
        Assert.Equal(("OK", "NG", "OK", "ana", "none"), (row["label"], row["ai_verdict"], row["decision"], row["decided_by"], row["defect"]));
        Assert.All(rows, r => Assert.True(File.Exists(Path.Combine(export, r["image"])) && File.Exists(Path.Combine(export, r["template"])), r["id"]));
        Assert.All(rows.Where(r => r["decision"].Length == 0), r => Assert.Equal(r["ai_verdict"], r["label"]));
        var skipped = File.ReadAllText(Path.Combine(export, LabelExport.SkippedFile));
        Assert.Contains($"{others[0].Id},{others[0].Product},{others[0].PairId},image-changed,", skipped, StringComparison.Ordinal);
        Assert.Contains($"{others[1].Id},{others[1].Product},{others[1].PairId},template-missing,", skipped, StringComparison.Ordinal);
        Assert.Contains("1 labelled by a person", stdout, StringComparison.Ordinal);

        // The lab's recipe, unchanged, on the export: one epoch at a tiny crop, a smoke test of the loop's first step.
        var weights = Path.Combine(_temp.Path, "trained");
        var (trained, output) = Python(Path.Combine(RepoPaths.Root, "models", "train", "train_stpm.py"), "--data", export, "--out-dir", weights,
            "--epochs", "1", "--batch", "2", "--calib-batches", "1", "--crop", "64", "--input", "64", "--threads", "1");
        Assert.True(trained == 0, output);
        Assert.True(new FileInfo(Path.Combine(weights, "student.pth")).Length > 0);
        Assert.True(File.Exists(Path.Combine(weights, "teacher.pth")));
    }

    [Fact]
    public void LabelsExport_DecidedOnly_WritesOnlyDecidedPairs()
    {
        var watched = _temp.Sub("aoi");
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            var judged = JudgedPairs.Judge(log, watched, 4, seed: 6);
            log.RecordDecision(new DecisionRequest(judged[0].Verdict.Id, VerdictKind.Ng, "scratch", null, "bo", "operator", false), DateTimeOffset.UtcNow);
        }

        var config = Path.Combine(_temp.Path, "edgeagent.json");
        File.WriteAllText(config, $$$"""{"Ingest":{"Folders":["{{{watched}}}"]}}""");
        var export = Path.Combine(_temp.Path, "export");

        var (code, stdout, stderr) = AgentProcess.Run("labels", "export", "--since", "1h", "--decided-only", "--data-dir", data, "--out", export, "--config", config);

        Assert.True(code == 0, stdout + stderr);
        var rows = File.ReadAllLines(Path.Combine(export, LabelExport.LabelsFile)).Skip(1).ToList();
        var row = Assert.Single(rows);
        Assert.Contains(",NG,scratch,", row, StringComparison.Ordinal);
        Assert.Contains("not-decided 3", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelsExport_OutFolderNotEmpty_ExitsWithUsageError()
    {
        var export = _temp.Sub("export");
        File.WriteAllText(Path.Combine(export, "labels.csv"), "older");

        var (code, _, stderr) = AgentProcess.Run("labels", "export", "--since", "1h", "--out", export);

        Assert.Equal(64, code);
        Assert.Contains("is not empty", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LabelsZip_ForASupervisor_HoldsTheSameLabelsAndFiles()
    {
        await using var rig = await DashboardRig.StartAsync();
        var judged = JudgedPairs.Judge(rig.Log, rig.Watched, 4, seed: 8);

        using var response = await GetAsync(rig, "/labels.zip?since=1h", Token(rig, "sam", "supervisor"));

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        using var labels = new StreamReader(zip.GetEntry(LabelExport.LabelsFile)!.Open());
        var lines = (await labels.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith(GeneratorColumns + ",", lines[0], StringComparison.Ordinal);
        Assert.Equal(judged.Count(j => j.Verdict.Outcome is VerdictKind.Ok or VerdictKind.Ng), lines.Length - 1);
        Assert.NotNull(zip.GetEntry(LabelExport.SkippedFile));
        Assert.All(lines.Skip(1), l => Assert.NotNull(zip.GetEntry(l.Split(',')[2])));
    }

    [Fact]
    public async Task LabelsZip_BadDecidedValue_Is400()
    {
        await using var rig = await DashboardRig.StartAsync();

        using var response = await GetAsync(rig, "/labels.zip?decided=maybe", Token(rig, "sam", "supervisor"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("operator")]
    [InlineData("technician")]
    public async Task LabelsZip_ForAnotherRole_Is403(string role)
    {
        await using var rig = await DashboardRig.StartAsync();

        using var response = await GetAsync(rig, "/labels.zip", Token(rig, "pat", role));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static string Token(DashboardRig rig, string name, string role)
    {
        var users = new UserAdministration(new UsersFile(Path.Combine(rig.Temp.Sub("data"), "users.json")), TimeProvider.System);
        users.Add(name, role, name + "'s long password");
        return users.IssueToken(name);
    }

    private static async Task<HttpResponseMessage> GetAsync(DashboardRig rig, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await rig.Http.SendAsync(request);
    }

    public void Dispose() => _temp.Dispose();

    private static (int Code, string Output) Python(params string[] args)
    {
        var (code, stdout, stderr) = AgentProcess.RunProgram(RepoPaths.DebianPython, args);
        return (code, stdout + stderr);
    }
}
