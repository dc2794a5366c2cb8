using System.Diagnostics.Metrics;
using EdgeAgent.Dashboard.Prometheus;
using EdgeAgent.Decisions;
using EdgeAgent.Drift;
using EdgeAgent.Ingest;
using EdgeAgent.Models.Store;
using EdgeAgent.Storage.Log;
using EdgeAgent.Telemetry;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Decode;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Dashboard.Tests.Support;

/// <summary>
/// A real dashboard server over a real LiteDB log and model store in a temp folder, on a free loopback port
/// (or what <paramref name="configure"/> sets), and an HTTP client pointed at it.
/// </summary>
public sealed class DashboardRig : IAsyncDisposable
{
    private DashboardRig(TempFolder temp, VerdictLog log, ModelStore store, FixedStatus status, DashboardServer server, ServiceProvider meters, AgentMetrics metrics, PrometheusExport prometheus)
    {
        (_meters, Metrics, _prometheus) = (meters, metrics, prometheus);
        Temp = temp;
        Log = log;
        Store = store;
        Status = status;
        Server = server;
        var address = new Uri(server.Addresses[0].Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    private readonly ServiceProvider _meters;
    private readonly PrometheusExport _prometheus;

    public TempFolder Temp { get; }

    /// <summary>The meter the rig's /metrics exports (its own meter factory: parallel rigs never mix).</summary>
    public AgentMetrics Metrics { get; }

    public VerdictLog Log { get; }

    public ModelStore Store { get; }

    public FixedStatus Status { get; }

    public DashboardServer Server { get; }

    public HttpClient Http { get; }

    /// <summary>The rig's <c>users.json</c> (<see cref="DashboardOptions.UsersFile"/>).</summary>
    public string UsersFile => Path.Combine(Temp.Sub("data"), "users.json");

    /// <summary>The watched folder the dashboard looks for moved files under.</summary>
    public string Watched => Temp.Sub("aoi");

    /// <summary>The drift settings the rig's dashboard draws limits with: a short window, so tests stay small.</summary>
    public static DriftOptions DriftOptions { get; } = new() { Window = 50 };

    public static async Task<DashboardRig> StartAsync(TimeProvider? time = null, Action<DashboardOptions>? configure = null, MetricsOptions? metricsOptions = null)
    {
        var temp = new TempFolder("edgeagent-dashboard-");
        var options = new DashboardOptions { Urls = "http://127.0.0.1:0", UsersFile = Path.Combine(temp.Sub("data"), "users.json") };
        configure?.Invoke(options);
        var log = VerdictLog.Open(Path.Combine(temp.Sub("data"), "edgeagent.db"));
        var store = new ModelStore(temp.Sub("models"), keepPrevious: 2);
        var status = new FixedStatus();
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new AgentMetrics(meters.GetRequiredService<IMeterFactory>());
        var prometheus = new PrometheusExport(metrics);
        var server = new DashboardServer(
            Options.Create(options),
            log,
            store,
            status,
            new StationIdentity("fab1", "wlp", "l3", "aoi2"),
            Options.Create(new IngestOptions { Folders = [temp.Sub("aoi")] }),
            Options.Create(new DecodeLimits()),
            Options.Create(DriftOptions),
            Options.Create(new ReviewOptions()),
            prometheus,
            Options.Create(metricsOptions ?? new MetricsOptions()),
            time ?? TimeProvider.System,
            NullLoggerFactory.Instance);
        await server.StartAsync(CancellationToken.None);
        return new DashboardRig(temp, log, store, status, server, meters, metrics, prometheus);
    }

    public async Task<string> GetStringAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.StopAsync(CancellationToken.None);
        Log.Dispose();
        _prometheus.Dispose();
        Metrics.Dispose();
        await _meters.DisposeAsync();
        Temp.Dispose();
    }
}
