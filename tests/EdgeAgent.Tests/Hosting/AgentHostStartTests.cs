using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Tests.Hosting;

/// <summary>Expensive resources are made when the host starts, in hosted services, never while the container builds the stages.</summary>
[Trait("Category", "Integration")]
public sealed class AgentHostStartTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Start_JournalAndModels_OpenInStartNotWhenTheStagesAreCreated()
    {
        var data = _temp.Sub("data");
        var settings = AgentHost.SettingsFor(_temp.Sub("aoi"), data, new MqttOptions { Host = "127.0.0.1", Port = 1 });
        settings["Model:Path"] = RepoPaths.DefaultModel;
        using var host = AgentHost.Build(null, settings);

        // What the host does first at start: create every hosted service, and with them every stage they take.
        _ = host.Services.GetServices<IHostedService>().ToList();
        var models = host.Services.GetRequiredService<ActiveModels>();
        Assert.False(File.Exists(Path.Combine(data, "edgeagent.db")), "the journal opened while the stages were created");
        Assert.Empty(models.Snapshot());

        await host.StartAsync();
        try
        {
            Assert.True(File.Exists(Path.Combine(data, "edgeagent.db")));
            Assert.NotEmpty(models.Snapshot());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public void Dispose() => _temp.Dispose();
}
