using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Dashboard.Users;
using EdgeAgent.Decisions;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeAgent.Dashboard.Tests.Browser;

/// <summary>
/// An operator's shift as the issue describes it: the real agent judges pairs, three of them REVIEW; the operator
/// signs in with headless chromium, decides the three with the keyboard alone, and each decision lands in the journal
/// and on <c>…/decision</c> for a separate MQTT client. The operator cannot reach the model pages, and a change without
/// a login or without the anti-forgery token is refused.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReviewBrowserTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "a long operator password";
    private readonly TempFolder _temp = new("edgeagent-review-");

    [Fact]
    public async Task Review_OperatorDecidesThreeReviewPairsWithTheKeyboard_EachStoredAndPublished()
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var watched = _temp.Sub("aoi");
        var data = _temp.Sub("data");
        new UserAdministration(new UsersFile(Path.Combine(data, "users.json")), TimeProvider.System).Add("olga", "operator", Password);
        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = broker.Port, Site = "fab1", Area = "wlp", Line = "l3", Station = "aoi2" };
        var received = new List<OperatorDecision>();
        using var subscriber = await SubscribeAsync(broker.Port, $"{Topics.RootOf(mqtt)}/decision", received);
        using var host = AgentHost.Build(null, Settings(watched, data, broker.Port));
        await host.StartAsync();
        try
        {
            var expected = Feed(watched);
            var log = host.Services.GetRequiredService<VerdictLog>();
            await RealAgent.UntilAsync(() => log.Count() >= expected, TimeSpan.FromMinutes(3), $"{expected} verdicts in the log");
            var review = log.Find(new VerdictQuery(Outcome: VerdictKind.Review, Limit: 100)).OrderBy(v => v.Seq).ToList();
            Assert.Equal(3, review.Count);
            var dashboard = new Uri(Assert.Single(host.Services.GetRequiredService<DashboardServer>().Addresses));

            using var chromium = await HeadlessChromium.StartAsync();
            await using var page = await CdpSession.OpenPageAsync(chromium.DevTools);
            await page.NavigateAsync(new Uri(dashboard, "login?return=/review"));
            await page.EvaluateAndWaitForLoadAsync(
                $"document.querySelector('input[name=name]').value = 'olga'; document.querySelector('input[name=password]').value = '{Password}'; document.getElementById('login').submit()");
            Assert.Equal(new[] { review[0].Id, review[1].Id, review[2].Id },
                (await page.EvaluateAsync("[...document.querySelectorAll('.review-entry')].map(e => e.dataset.id)"))!.AsArray().Select(n => n!.GetValue<string>()));
            Keep(await page.ScreenshotAsync(), "dashboard-review.png");

            // The keyboard alone: NG; defect class 1 then NG; OK. Each entry must be stored before the next key.
            foreach (var (keys, at) in new[] { (new[] { "n" }, 0), (["1", "n"], 1), (["o"], 2) })
            {
                foreach (var key in keys)
                {
                    await page.PressKeyAsync(key);
                }

                await RealAgent.UntilAsync(async () => (await page.EvaluateAsync($"document.querySelectorAll('.review-entry')[{at}].className"))!.GetValue<string>().Contains("decided", StringComparison.Ordinal),
                    TimeSpan.FromSeconds(30), $"entry {at} decided: {await page.EvaluateAsync($"document.querySelectorAll('.review-entry .decision-status')[{at}].textContent")}");
            }

            var stored = review.Select(v => log.DecisionOf(v.Id)).ToList();
            Assert.Equal(new VerdictKind?[] { VerdictKind.Ng, VerdictKind.Ng, VerdictKind.Ok }, stored.Select(d => d?.Decision));
            Assert.Equal(new[] { null, "particle", null }, stored.Select(d => d!.DefectClass));
            Assert.All(stored, d => Assert.Equal(("olga", "operator", VerdictKind.Review), (d!.By, d.Role, d.AiVerdict)));
            await RealAgent.UntilAsync(() => Count(received) == 3, TimeSpan.FromSeconds(30), "three decisions on MQTT");
            lock (received)
            {
                Assert.Equal(stored.Select(d => d!.DecisionId).Order(), received.Select(d => d.DecisionId).Order());
            }

            await page.NavigateAsync(new Uri(dashboard, "review"));
            Assert.True((await page.EvaluateAsync("document.getElementById('queue-empty') !== null"))!.GetValue<bool>(), "the queue still lists decided pairs");

            // What the operator may not do, from the same signed-in page.
            Assert.Equal(403, (await page.EvaluateAsync("fetch('/models').then(r => r.status)"))!.GetValue<int>());
            var ok = log.Find(new VerdictQuery(Outcome: VerdictKind.Ok, Limit: 1)).Single();
            var withoutToken = $"fetch('/api/verdicts/{ok.Id}/decision', {{method: 'POST', headers: {{'Content-Type': 'application/json'}}, body: '{{\"decision\":\"NG\"}}'}}).then(r => r.status)";
            Assert.Equal(400, (await page.EvaluateAsync(withoutToken))!.GetValue<int>());
            using var anonymous = new HttpClient { BaseAddress = dashboard };
            using var change = await anonymous.PostAsync(new Uri($"api/verdicts/{ok.Id}/decision", UriKind.Relative), new StringContent("""{"decision":"NG"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Unauthorized, change.StatusCode);
            Assert.Null(log.DecisionOf(ok.Id));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public void Dispose() => _temp.Dispose();

    private static Dictionary<string, string?> Settings(string watched, string data, int brokerPort)
    {
        var settings = RealAgent.Settings(watched, data, brokerPort);
        settings["Dashboard:UsersFile"] = Path.Combine(data, "users.json");
        settings["Review:SpotCheckRate"] = "0";
        return settings;
    }

    // Six generated pairs, and three images each against another product's template: the alignment cannot be trusted,
    // so the box says REVIEW and a person decides. Returns how many verdicts to expect.
    private static int Feed(string watched)
    {
        var staging = Path.Combine(Path.GetDirectoryName(watched)!, "staging");
        var truth = SyntheticDataset.Write(staging, new SyntheticDatasetOptions { Count = 6, Seed = 11 });
        AoiFiles.CopyLikeAnAoi(staging, truth.SelectMany(p => new[] { p.ImagePath, p.TemplatePath }), watched);

        var mixed = Directory.CreateDirectory(Path.Combine(watched, "MIXED")).FullName;
        var ubm = truth.First(p => p.Product == "UBM");
        var m1 = truth.First(p => p.Product == "M1");
        for (var unit = 1; unit <= 3; unit++)
        {
            File.Copy(Path.Combine(staging, m1.TemplatePath), Path.Combine(mixed, $"L9_S1_U{unit}_D01_template.png"));
            File.Copy(Path.Combine(staging, ubm.ImagePath), Path.Combine(mixed, $"L9_S1_U{unit}_D01_image.png"));
        }

        return truth.Count + 3;
    }

    private static async Task<IMqttClient> SubscribeAsync(int port, string topic, List<OperatorDecision> received)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var decision = JsonSerializer.Deserialize(e.ApplicationMessage.Payload.ToArray(), DecisionJsonContext.Default.OperatorDecision)!;
            lock (received)
            {
                received.Add(decision);
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("review-test-line").Build());
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return client;
    }

    private static int Count(List<OperatorDecision> received)
    {
        lock (received)
        {
            return received.Count;
        }
    }

    private void Keep(byte[] png, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        File.WriteAllBytes(path, png);
        output.WriteLine($"screenshot: {path}");
    }
}
