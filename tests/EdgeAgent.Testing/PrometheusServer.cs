using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeAgent.Messaging.Broker;

namespace EdgeAgent.Testing;

/// <summary>
/// A real Prometheus server (Debian's package) on a free loopback port, scraping one target every second with its
/// storage in <paramref name="folder"/>. Started when made; <see cref="Dispose"/> stops it.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    /// <param name="folder">Config, storage and log.</param>
    /// <param name="target">The scraped <c>host:port</c>; the path is <c>/metrics</c>.</param>
    /// <param name="bearerTokenFile">A file holding the bearer token to send, or null for none.</param>
    public PrometheusServer(string folder, string target, string? bearerTokenFile = null)
    {
        const string Binary = "/usr/bin/prometheus";
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException("prometheus is not installed: run scripts/install-deps.sh");
        }

        var port = EmbeddedBroker.FreePort();
        Address = new Uri($"http://127.0.0.1:{port}/");
        var config = Path.Combine(folder, "prometheus.yml");
        var authorization = bearerTokenFile is null ? "" : $"\n    authorization:\n      credentials_file: {bearerTokenFile}";
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: edgeagent
                static_configs:
                  - targets: ['{target}']{authorization}
            """);
        var start = new ProcessStartInfo(Binary,
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        ])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        _process = new Process { StartInfo = start };
        // Prometheus logs to stderr: kept (the last lines) for failure messages, and read so the pipe never fills.
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Where its web UI and HTTP API listen.</summary>
    public Uri Address { get; }

    /// <summary>A client pointed at <see cref="Address"/>.</summary>
    public HttpClient Http { get; }

    /// <summary>Runs an instant query (<c>GET /api/v1/query</c>) and returns each series' labels and value; null while Prometheus is not up.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>?> QueryAsync(string query)
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}: {Log()}");
        }

        HttpResponseMessage response;
        try
        {
            response = await Http.GetAsync(new Uri($"api/v1/query?query={Uri.EscapeDataString(query)}", UriKind.Relative));
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return null; // starting: 503 until its storage is ready
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return [.. body.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => (
                (IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
        }
    }

    /// <summary>The last state of the scrape target (<c>GET /api/v1/targets</c>): health and last error, for failure messages.</summary>
    public async Task<string> TargetsAsync()
    {
        try
        {
            return await Http.GetStringAsync(new Uri("api/v1/targets", UriKind.Relative));
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    /// <summary>Its last log lines, for failure messages.</summary>
    public string Log() => string.Join('\n', _log);

    /// <summary>Stops the server (SIGTERM, as systemd does) and waits for it.</summary>
    public void Dispose()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            Signals.Terminate(_process.Id);
            if (!_process.WaitForExit(15_000))
            {
                _process.Kill();
                _process.WaitForExit(5_000);
            }
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > 30 && _log.TryDequeue(out _))
        {
        }
    }
}
