using System.Text.Json;
using EdgeAgent.Align;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Core.Tests.Verdicts;

/// <summary>The payload is a contract with the line's consumers: a renamed field must fail here first.</summary>
public sealed class VerdictSchemaTests
{
    // The /1 payload as consumers have parsed it since the first release.
    private const string SchemaOne = """{"schema":"edgeagent.verdict/1","id":"01JDZ0000000000000000000AB","seq":7,"pairId":"L0001_S01_U001_D01","product":"UBM","trace":{"lot":"L0001"},"image":{"path":"/aoi/UBM/L0001_S01_U001_D01_image.png","sha256":"aa"},"template":{"path":"/aoi/UBM/L0001_S01_U001_D01_template.png","sha256":"bb"},"verdict":"NG","reason":"SCORE_ABOVE_THRESHOLD","detail":null,"score":2.5,"threshold":1.7,"layers":[1,2,3],"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"model":{"name":"stpm","version":"1.0.0","sha256":"cc","provider":"CPU"},"alignment":{"dx":1.5,"dy":-2,"angle":0.25,"confidence":0.9},"timingsMs":{"decode":1,"align":2,"infer":3,"score":4,"total":10},"station":{"site":"s","area":"a","line":"l","station":"st"},"judgedAt":"2026-11-23T10:00:00+00:00"}""";

    // The /2 payload of a gated combination with a shadow, as consumers have parsed it since issue 14.
    private const string SchemaTwo = """{"schema":"edgeagent.verdict/2","id":"01JDZ0000000000000000000AB","seq":7,"pairId":"L0001_S01_U001_D01","product":"UBM","trace":{"lot":"L0001"},"image":{"path":"/aoi/UBM/L0001_S01_U001_D01_image.png","sha256":"aa"},"template":{"path":"/aoi/UBM/L0001_S01_U001_D01_template.png","sha256":"bb"},"verdict":"NG","reason":"SCORE_ABOVE_THRESHOLD","detail":null,"score":1.5,"threshold":1,"layers":null,"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"model":{"name":"cls","version":"1.0.0","sha256":"dd","provider":"CPU"},"combine":"gate","models":[{"kind":"classifier","name":"cls","version":"1.0.0","sha256":"dd","score":0.9,"threshold":0.5,"verdict":"NG","reason":"SCORE_ABOVE_THRESHOLD","detail":null,"inferMs":2,"layers":null,"peak":null,"regions":null,"classes":[{"name":"scratch","p":0.8},{"name":"ok","p":0.1}]},{"kind":"pairseg","name":"seg","version":"1.0.0","sha256":"ee","score":0.75,"threshold":0.5,"verdict":"NG","reason":"SCORE_ABOVE_THRESHOLD","detail":null,"inferMs":3,"layers":null,"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"regions":[{"template":{"x":290,"y":295,"width":20,"height":12},"image":{"x":295,"y":293,"width":20.5,"height":12.5},"area":180,"max":0.75,"class":"scratch"}],"classes":null}],"shadow":{"kind":"pairseg","name":"seg","version":"2.0.0","sha256":"ee","score":0.2,"threshold":0.5,"verdict":"OK","reason":null,"detail":null,"inferMs":3,"layers":null,"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"regions":[],"classes":null},"alignment":{"dx":1.5,"dy":-2,"angle":0.25,"confidence":0.9},"timingsMs":{"decode":1,"align":2,"infer":3,"score":4,"total":10},"station":{"site":"s","area":"a","line":"l","station":"st"},"judgedAt":"2026-11-23T10:00:00+00:00"}""";

    // The /3 payload of a combination sent to REVIEW beyond its distribution, as consumers have parsed it since issue 15.
    private const string SchemaThree = """{"schema":"edgeagent.verdict/3","id":"01JDZ0000000000000000000AB","seq":7,"pairId":"L0001_S01_U001_D01","product":"UBM","trace":{"lot":"L0001"},"image":{"path":"/aoi/UBM/L0001_S01_U001_D01_image.png","sha256":"aa"},"template":{"path":"/aoi/UBM/L0001_S01_U001_D01_template.png","sha256":"bb"},"verdict":"REVIEW","reason":"OUT_OF_DISTRIBUTION","detail":"model cls 1.0.0: template 3.40 beyond its bound 2.27 (image 1.20)","score":1.5,"threshold":1,"layers":null,"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"model":{"name":"cls","version":"1.0.0","sha256":"dd","provider":"CPU"},"combine":"gate","models":[{"kind":"classifier","name":"cls","version":"1.0.0","sha256":"dd","score":0.9,"threshold":0.5,"verdict":"NG","reason":"SCORE_ABOVE_THRESHOLD","detail":null,"inferMs":2,"layers":null,"peak":null,"regions":null,"classes":[{"name":"scratch","p":0.8},{"name":"ok","p":0.1}],"ood":{"template":3.4,"image":1.2,"bound":2.27,"beyond":true}},{"kind":"pairseg","name":"seg","version":"1.0.0","sha256":"ee","score":0.75,"threshold":0.5,"verdict":"NG","reason":"SCORE_ABOVE_THRESHOLD","detail":null,"inferMs":3,"layers":null,"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"regions":[{"template":{"x":290,"y":295,"width":20,"height":12},"image":{"x":295,"y":293,"width":20.5,"height":12.5},"area":180,"max":0.75,"class":"scratch"}],"classes":null,"ood":null}],"shadow":{"kind":"pairseg","name":"seg","version":"2.0.0","sha256":"ee","score":0.2,"threshold":0.5,"verdict":"OK","reason":null,"detail":null,"inferMs":3,"layers":null,"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"regions":[],"classes":null,"ood":null},"alignment":{"dx":1.5,"dy":-2,"angle":0.25,"confidence":0.9},"route":"trained","ood":{"template":3.4,"image":1.2,"bound":2.27,"beyond":true},"photometry":{"brightness":0.9731,"contrast":1.052},"timingsMs":{"decode":1,"align":2,"infer":3,"score":4,"total":10},"station":{"site":"s","area":"a","line":"l","station":"st"},"judgedAt":"2026-11-23T10:00:00+00:00"}""";

    [Fact]
    public void SchemaFour_SingleModelVerdict_KeepsEveryFieldOfSchemaOneWithTheSameValue()
    {
        var json = JsonSerializer.Serialize(SingleModel(), VerdictJsonContext.Default.Verdict);

        using var four = JsonDocument.Parse(json);
        using var one = JsonDocument.Parse(SchemaOne);
        Assert.Equal("edgeagent.verdict/4", four.RootElement.GetProperty("schema").GetString());
        AssertKeeps(one.RootElement, four.RootElement, "");
    }

    [Fact]
    public void SchemaFour_CombinedVerdict_KeepsEveryFieldOfSchemaTwoWithTheSameValue()
    {
        var json = JsonSerializer.Serialize(Combined(), VerdictJsonContext.Default.Verdict);

        using var four = JsonDocument.Parse(json);
        using var two = JsonDocument.Parse(SchemaTwo);
        AssertKeeps(two.RootElement, four.RootElement, "");
    }

    [Fact]
    public void SchemaFour_VerdictOfSchemaThree_KeepsEveryFieldWithTheSameValue()
    {
        var three = JsonSerializer.Deserialize(SchemaThree, VerdictJsonContext.Default.Verdict)!;
        Assert.Null(three.Band);

        using var four = JsonDocument.Parse(JsonSerializer.Serialize(three with { Schema = Verdict.CurrentSchema }, VerdictJsonContext.Default.Verdict));
        using var older = JsonDocument.Parse(SchemaThree);
        AssertKeeps(older.RootElement, four.RootElement, "");
    }

    [Theory]
    [InlineData(SchemaOne, "edgeagent.verdict/1")]
    [InlineData(SchemaTwo, "edgeagent.verdict/2")]
    public void OlderSchema_StoredPayload_StillReads(string payload, string schema)
    {
        var verdict = JsonSerializer.Deserialize(payload, VerdictJsonContext.Default.Verdict)!;

        Assert.Equal((schema, VerdictKind.Ng), (verdict.Schema, verdict.Outcome));
        Assert.Null(verdict.Route);
        Assert.Null(verdict.Ood);
        Assert.Null(verdict.Photometry);
        Assert.Null(verdict.Band);
    }

    [Fact]
    public void Serialize_CombinedVerdictWithRouteDistancesPhotometryAndBand_MatchesTheDocumentedSchemaFour()
    {
        var ood = new OodReading(3.4, 1.2, 2.27, Beyond: true);
        var verdict = Combined() with
        {
            Outcome = VerdictKind.Review, Reason = ReasonCode.OutOfDistribution, Detail = "model cls 1.0.0: template 3.40 beyond its bound 2.27 (image 1.20)",
            Route = "trained", Ood = ood, Photometry = new Photometry(0.9731, 1.052), Band = new ScoreBand(0.6, 1), Models = [.. Combined().Models!.Select((m, i) => i == 0 ? m with { Ood = ood } : m)],
        };

        var json = JsonSerializer.Serialize(verdict, VerdictJsonContext.Default.Verdict);

        const string Expected = """{"schema":"edgeagent.verdict/4","id":"01JDZ0000000000000000000AB","seq":7,"pairId":"L0001_S01_U001_D01","product":"UBM","trace":{"lot":"L0001"},"image":{"path":"/aoi/UBM/L0001_S01_U001_D01_image.png","sha256":"aa"},"template":{"path":"/aoi/UBM/L0001_S01_U001_D01_template.png","sha256":"bb"},"verdict":"REVIEW","reason":"OUT_OF_DISTRIBUTION","detail":"model cls 1.0.0: template 3.40 beyond its bound 2.27 (image 1.20)","score":1.5,"threshold":1,"layers":null,"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"model":{"name":"cls","version":"1.0.0","sha256":"dd","provider":"CPU"},"combine":"gate","models":[{"kind":"classifier","name":"cls","version":"1.0.0","sha256":"dd","score":0.9,"threshold":0.5,"verdict":"NG","reason":"SCORE_ABOVE_THRESHOLD","detail":null,"inferMs":2,"layers":null,"peak":null,"regions":null,"classes":[{"name":"scratch","p":0.8},{"name":"ok","p":0.1}],"ood":{"template":3.4,"image":1.2,"bound":2.27,"beyond":true}},{"kind":"pairseg","name":"seg","version":"1.0.0","sha256":"ee","score":0.75,"threshold":0.5,"verdict":"NG","reason":"SCORE_ABOVE_THRESHOLD","detail":null,"inferMs":3,"layers":null,"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"regions":[{"template":{"x":290,"y":295,"width":20,"height":12},"image":{"x":295,"y":293,"width":20.5,"height":12.5},"area":180,"max":0.75,"class":"scratch"}],"classes":null,"ood":null}],"shadow":{"kind":"pairseg","name":"seg","version":"2.0.0","sha256":"ee","score":0.2,"threshold":0.5,"verdict":"OK","reason":null,"detail":null,"inferMs":3,"layers":null,"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"regions":[],"classes":null,"ood":null},"alignment":{"dx":1.5,"dy":-2,"angle":0.25,"confidence":0.9},"route":"trained","ood":{"template":3.4,"image":1.2,"bound":2.27,"beyond":true},"photometry":{"brightness":0.9731,"contrast":1.052},"band":{"ok":0.6,"ng":1},"timingsMs":{"decode":1,"align":2,"infer":3,"score":4,"total":10},"station":{"site":"s","area":"a","line":"l","station":"st"},"judgedAt":"2026-11-23T10:00:00+00:00"}""";
        Assert.Equal(Expected, json);
        Assert.Equal(ood, JsonSerializer.Deserialize(json, VerdictJsonContext.Default.Verdict)!.Models![0].Ood);
    }

    // Every field of the older payload is in the newer one with the same value; objects may have gained fields.
    private static void AssertKeeps(JsonElement older, JsonElement newer, string path)
    {
        if (older.ValueKind == JsonValueKind.Object)
        {
            Assert.Equal(JsonValueKind.Object, newer.ValueKind);
            foreach (var field in older.EnumerateObject().Where(f => f.Name != "schema"))
            {
                Assert.True(newer.TryGetProperty(field.Name, out var kept), $"{path}.{field.Name} is gone");
                AssertKeeps(field.Value, kept, $"{path}.{field.Name}");
            }
        }
        else if (older.ValueKind == JsonValueKind.Array)
        {
            Assert.Equal(older.GetArrayLength(), newer.GetArrayLength());
            foreach (var (o, n, i) in older.EnumerateArray().Zip(newer.EnumerateArray()).Select((p, i) => (p.First, p.Second, i)))
            {
                AssertKeeps(o, n, $"{path}[{i}]");
            }
        }
        else
        {
            Assert.True(older.GetRawText() == newer.GetRawText(), $"{path}: {older.GetRawText()} became {newer.GetRawText()}");
        }
    }

    private static Verdict Combined()
    {
        var classes = new ModelVerdict
        {
            Kind = "classifier", Name = "cls", Version = "1.0.0", Sha256 = "dd", Score = 0.9, Threshold = 0.5, Outcome = VerdictKind.Ng,
            Reason = ReasonCode.ScoreAboveThreshold, InferMs = 2, Classes = [new ClassScore("scratch", 0.8), new ClassScore("ok", 0.1)],
        };
        var segmenter = new ModelVerdict
        {
            Kind = "pairseg", Name = "seg", Version = "1.0.0", Sha256 = "ee", Score = 0.75, Threshold = 0.5, Outcome = VerdictKind.Ng,
            Reason = ReasonCode.ScoreAboveThreshold, InferMs = 3, Peak = new Peak(300, 301, 305, 299),
            Regions = [new DefectRegion(new Box(290, 295, 20, 12), new Box(295, 293, 20.5, 12.5), 180, 0.75, "scratch")],
        };
        return SingleModel() with
        {
            Score = 1.5, Threshold = 1, Layers = null, Model = new ModelRef("cls", "1.0.0", "dd", "CPU"), Combine = "gate", Models = [classes, segmenter],
            Shadow = segmenter with { Name = "seg", Version = "2.0.0", Score = 0.2, Outcome = VerdictKind.Ok, Reason = null, Regions = [] },
        };
    }

    [Fact]
    public void Serialize_AlignmentWithResidual_AddsResidualPxAndAmbiguousAfterTheSchemaOneFields()
    {
        // Issue 15: optional within /2 (absent when the pair was not aligned), so /1 consumers read the object as before.
        var verdict = SingleModel() with { Alignment = new Alignment(1.5, -2, 0.25, 0.9) { ResidualPx = 0.12, Ambiguous = false } };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(verdict, VerdictJsonContext.Default.Verdict));

        Assert.Equal("""{"dx":1.5,"dy":-2,"angle":0.25,"confidence":0.9,"residualPx":0.12,"ambiguous":false}""", json.RootElement.GetProperty("alignment").GetRawText());
        var read = JsonSerializer.Deserialize(json.RootElement.GetRawText(), VerdictJsonContext.Default.Verdict)!;
        Assert.Equal((0.12, false), (read.Alignment!.ResidualPx, read.Alignment.Ambiguous));
    }

    private static Verdict SingleModel() => new Verdict
        {
            Id = "01JDZ0000000000000000000AB",
            Seq = 7,
            PairId = "L0001_S01_U001_D01",
            Product = "UBM",
            Trace = new Dictionary<string, string> { ["lot"] = "L0001" },
            Image = new SourceFile("/aoi/UBM/L0001_S01_U001_D01_image.png", "aa"),
            Template = new SourceFile("/aoi/UBM/L0001_S01_U001_D01_template.png", "bb"),
            Outcome = VerdictKind.Ng,
            Reason = ReasonCode.ScoreAboveThreshold,
            Score = 2.5,
            Threshold = 1.7,
            Layers = [1, 2, 3],
            Peak = new Peak(300, 301, 305, 299),
            Model = new ModelRef("stpm", "1.0.0", "cc", "CPU"),
            Alignment = new Alignment(1.5, -2, 0.25, 0.9),
            TimingsMs = new Timings(1, 2, 3, 4, 10),
            Station = new StationIdentity("s", "a", "l", "st"),
            JudgedAt = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        };
}
