using System.Diagnostics;
using System.Net.Sockets;
using EdgeAgent.Messaging.Broker;

namespace EdgeAgent.Testing;

/// <summary>
/// A real mosquitto (Debian's package) on a free loopback port that a test can stop and start again on the
/// same port. Persistence is on and the per-client queue unbounded, so a consumer's persistent session —
/// its subscription and the QoS 1 messages queued for it — survives the restart: whatever the test then
/// misses is the agent's loss, not the test's own reconnect race.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    private readonly string _folder;
    private readonly string _config;
    private Process? _process;

    /// <param name="folder">Config, persistence and log.</param>
    /// <param name="extraConfig">Further mosquitto.conf lines, e.g. <c>max_packet_size 65536</c>.</param>
    public MosquittoBroker(string folder, params string[] extraConfig)
    {
        _folder = folder;
        Port = EmbeddedBroker.FreePort();
        _config = Path.Combine(folder, "mosquitto.conf");
        File.WriteAllLines(_config,
        [
            $"listener {Port} 127.0.0.1",
            "allow_anonymous true",
            // Started as root, Debian's mosquitto drops to the 'mosquitto' user, which cannot write into our
            // private temp folder: no persistence file, no log, sessions gone after a restart. Staying the
            // current user is a no-op for non-root runs.
            $"user {Environment.UserName}",
            "persistence true",
            $"persistence_location {folder}/",
            "max_queued_messages 0", // 0 = no limit (default 1000 would drop a 15 s backlog for an offline consumer)
            $"log_dest file {Path.Combine(folder, "mosquitto.log")}",
            .. extraConfig,
        ]);
        Start();
    }

    public int Port { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the broker and waits until it accepts connections.</summary>
    public void Start()
    {
        var binary = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("mosquitto is not installed: run scripts/install-deps.sh");
        _process = Process.Start(new ProcessStartInfo(binary, ["-c", _config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"mosquitto exited: {_process.StandardError.ReadToEnd()} {Log()}");
                }

                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"mosquitto did not listen on {Port}");
    }

    /// <summary>Stops the broker the way systemd does (SIGTERM), so it writes its persistence file, and waits for it.</summary>
    public void Stop()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        Signals.Terminate(process.Id);
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException("mosquitto did not stop on SIGTERM within 10 s");
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>The broker's own log, for failure messages.</summary>
    public string Log()
    {
        var path = Path.Combine(_folder, "mosquitto.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(20)) : "";
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
    }
}
