using System.Buffers;
using System.Text;
using System.Text.Json;
using EdgeAgent.Health;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Telemetry;
using EdgeAgent.Testing;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace EdgeAgent.Tests.Hosting;

/// <summary>Presence and heartbeat as the line's monitoring sees them on a real broker.</summary>
[Trait("Category", "Integration")]
public sealed class HeartbeatIntegrationTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly MosquittoBroker _broker;

    public HeartbeatIntegrationTests() => _broker = new MosquittoBroker(_temp.Sub("broker"));

    [Fact]
    public async Task Run_Started_RetainedOnlineStateAndPeriodicMetrics()
    {
        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = _broker.Port, Site = "hb", Area = "a", Line = "l", Station = "s" };
        var settings = AgentHost.SettingsFor(_temp.Sub("aoi"), _temp.Sub("data"), mqtt);
        settings["Model:Path"] = RepoPaths.DefaultModel;
        settings["Health:HeartbeatInterval"] = "00:00:01";
        var topics = new Topics(mqtt);
        using var host = AgentHost.Build(null, settings);
        await host.StartAsync();

        // A beat evaluated while the first connection was still being made says "degraded: not connected" (true
        // then); under load that beat can be the first one out, so wait for the steady state.
        var beat = await ReceiveAsync(topics.Metrics, payload => JsonSerializer.Deserialize(payload, HeartbeatJsonContext.Default.Heartbeat)!.State == "healthy");
        var heartbeat = JsonSerializer.Deserialize(beat, HeartbeatJsonContext.Default.Heartbeat)!;
        var state = Encoding.UTF8.GetString(await ReceiveAsync(topics.State)); // retained: a late subscriber still gets it
        await host.StopAsync();
        var stateAfterStop = Encoding.UTF8.GetString(await ReceiveAsync(topics.State));

        Assert.Equal("healthy", heartbeat.State);
        Assert.Equal(("stpm-r18-synth", "CPU"), (heartbeat.Model.Name, heartbeat.Model.Provider));
        Assert.True(heartbeat.RssBytes > 0 && heartbeat.GcHeapBytes > 0 && heartbeat.DiskFreeBytes > 0);
        Assert.Equal("online", state);
        Assert.Equal("offline", stateAfterStop);
    }

    [Fact]
    public async Task Run_PairsJudged_HeartbeatCountsAreTheAgentMetrics()
    {
        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = _broker.Port, Site = "hbm", Area = "a", Line = "l", Station = "s" };
        var watched = _temp.Sub("aoi");
        var settings = AgentHost.SettingsFor(watched, _temp.Sub("data"), mqtt);
        settings["Model:Path"] = RepoPaths.DefaultModel;
        settings["Health:HeartbeatInterval"] = "00:00:01";
        settings["Ingest:TemplateWait"] = "00:00:01";
        settings["Ingest:RescanInterval"] = "00:00:01";
        using var host = AgentHost.Build(null, settings);
        await host.StartAsync();
        var pair = SyntheticDataset.Write(_temp.Sub("staging"), new SyntheticDatasetOptions { Count = 1, Seed = 7 })[0];
        Place(pair.TemplatePath, pair.TemplatePath);
        Place(pair.ImagePath, pair.ImagePath);
        // An image whose template never comes: an ERROR, counted among the errors.
        Place(pair.ImagePath, Path.Combine(Path.GetDirectoryName(pair.ImagePath)!, "lonely_image.png"));

        // The journal's tallies follow the metrics by one journal write: the beat that has both.
        var payload = await ReceiveAsync(new Topics(mqtt).Metrics, payload =>
            JsonSerializer.Deserialize(payload, HeartbeatJsonContext.Default.Heartbeat) is { PairsTotal: 2 } b && b.Kpis.Sum(k => k.Suspects) == 2);
        var beat = JsonSerializer.Deserialize(payload, HeartbeatJsonContext.Default.Heartbeat)!;
        var metrics = host.Services.GetRequiredService<MetricsReader>();
        var (pairs, errors) = (metrics.Sum(AgentMetrics.Pairs), metrics.Sum(AgentMetrics.Pairs, t => t["verdict"] is "REVIEW" or "ERROR"));
        await host.StopAsync();

        Assert.Equal((2.0, 1.0), (pairs, errors));
        Assert.Equal(2, beat.PairsTotal);
        Assert.True(beat.ErrorsPerMin > 0, $"errors/min {beat.ErrorsPerMin}");
        // Today's KPIs (UTC day) per product and the review queue, added fields of edgeagent.metrics/1.
        var today = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(beat.Kpis, k => Assert.Equal(today, k.Day));
        Assert.Equal(1, beat.Kpis.Sum(k => k.Error));
        Assert.NotNull(beat.ReviewQueue);
        using var json = JsonDocument.Parse(payload);
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("kpis").ValueKind);
        Assert.Equal(2, json.RootElement.GetProperty("kpis").EnumerateArray().Sum(k => k.GetProperty("suspects").GetInt64()));
        Assert.True(json.RootElement.GetProperty("reviewQueue").TryGetProperty("spotChecks", out _));

        void Place(string from, string to) => AoiFiles.PlaceLikeAnAoi(Path.Combine(_temp.Path, "staging", from), Path.Combine(watched, to));
    }

    public void Dispose()
    {
        _broker.Dispose();
        _temp.Dispose();
    }

    private async Task<byte[]> ReceiveAsync(string topic, Func<byte[], bool>? wanted = null)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload.ToArray();
            if (wanted is null || wanted(payload))
            {
                received.TrySetResult(payload);
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).Build());
        await client.SubscribeAsync(topic);
        var payload = await received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await client.DisconnectAsync();
        return payload;
    }
}
