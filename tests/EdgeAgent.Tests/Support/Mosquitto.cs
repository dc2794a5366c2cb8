using System.Diagnostics;
using System.Net.Sockets;
using EdgeAgent.Messaging.Broker;

namespace EdgeAgent.Tests.Support;

/// <summary>
/// A real mosquitto broker (Debian's package, installed by scripts/install-deps.sh) on a free loopback
/// port, started per test class and killed at the end.
/// </summary>
public sealed class Mosquitto : IDisposable
{
    private readonly Process _process;
    private readonly string _config;

    public Mosquitto()
    {
        Port = EmbeddedBroker.FreePort();
        _config = Path.Combine(Path.GetTempPath(), $"edgeagent-mosquitto-{Port}.conf");
        File.WriteAllText(_config, $"listener {Port} 127.0.0.1\nallow_anonymous true\npersistence false\n");
        var binary = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("mosquitto is not installed: run scripts/install-deps.sh");
        _process = Process.Start(new ProcessStartInfo(binary, ["-c", _config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        WaitUntilListening();
    }

    public int Port { get; }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        File.Delete(_config);
    }

    private void WaitUntilListening()
    {
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
                    throw new InvalidOperationException("mosquitto exited: " + _process.StandardError.ReadToEnd());
                }

                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"mosquitto did not listen on {Port}");
    }
}
