using System.Text.Json;
using EdgeAgent.Align;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Core.Tests.Verdicts;

/// <summary>The payload is a contract with the line's consumers: a renamed field must fail here first.</summary>
public sealed class VerdictSchemaTests
{
    [Fact]
    public void Serialize_FullVerdict_MatchesTheDocumentedSchema()
    {
        var verdict = new Verdict
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

        var json = JsonSerializer.Serialize(verdict, VerdictJsonContext.Default.Verdict);

        const string Expected = """{"schema":"edgeagent.verdict/1","id":"01JDZ0000000000000000000AB","seq":7,"pairId":"L0001_S01_U001_D01","product":"UBM","trace":{"lot":"L0001"},"image":{"path":"/aoi/UBM/L0001_S01_U001_D01_image.png","sha256":"aa"},"template":{"path":"/aoi/UBM/L0001_S01_U001_D01_template.png","sha256":"bb"},"verdict":"NG","reason":"SCORE_ABOVE_THRESHOLD","detail":null,"score":2.5,"threshold":1.7,"layers":[1,2,3],"peak":{"x":300,"y":301,"imageX":305,"imageY":299},"model":{"name":"stpm","version":"1.0.0","sha256":"cc","provider":"CPU"},"alignment":{"dx":1.5,"dy":-2,"angle":0.25,"confidence":0.9},"timingsMs":{"decode":1,"align":2,"infer":3,"score":4,"total":10},"station":{"site":"s","area":"a","line":"l","station":"st"},"judgedAt":"2026-11-23T10:00:00+00:00"}""";
        Assert.Equal(Expected, json);
        Assert.Equal(verdict.Id, JsonSerializer.Deserialize(json, VerdictJsonContext.Default.Verdict)!.Id);
    }
}
