using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeAgent.Dashboard.Tests.Support;

namespace EdgeAgent.Dashboard.Tests.Hosting;

/// <summary>
/// Idle connections cannot lock the dashboard out. One client address holds at most its quota of connections, so
/// another address is served at once; and connections that send nothing, or only the start of a request, are dropped
/// by Kestrel's keep-alive and request-header timeouts, so the same address is served again (it used to wait for
/// Kestrel's default 130 s keep-alive, and one client could take all 32 slots of the server).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private static readonly int Quota = new DashboardOptions().MaxConnectionsPerAddress;

    // Generous against a loaded machine, yet well below the 130 s the idle connections used to be kept.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(100);
    private DashboardRig _rig = null!;

    public async Task InitializeAsync() => _rig = await DashboardRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("")]
    [InlineData("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")]
    public async Task Request_AllSlotsHeldByIdleConnections_ServedOnceTheyAreDropped(string sentByEachIdleConnection)
    {
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Quota; i++)
            {
                var client = new TcpClient();
                idle.Add(client);
                await client.ConnectAsync(_rig.Http.BaseAddress!.Host, _rig.Http.BaseAddress.Port);
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(sentByEachIdleConnection));
            }

            Assert.True(await ServedBeforeAsync(DateTime.UtcNow + Deadline), $"no request was served within {Deadline.TotalSeconds} s of {Quota} idle connections");
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Request_AnotherAddressHoldsMoreConnectionsThanTheServerHasSlotsFor_ServedAtOnce()
    {
        // 127.0.0.2 is loopback too on Linux: a second client address without a second machine. It opens more
        // connections than the server's whole cap and holds them idle.
        var hog = IPAddress.Parse("127.0.0.2");
        var held = new List<TcpClient>();
        try
        {
            for (var i = 0; i < new DashboardOptions().MaxConnections + 8; i++)
            {
                var client = new TcpClient(new IPEndPoint(hog, 0));
                held.Add(client);
                try
                {
                    await client.ConnectAsync(_rig.Http.BaseAddress!.Host, _rig.Http.BaseAddress.Port);
                }
                catch (SocketException)
                {
                    // Closed by the server before the handshake was seen through: counted below as closed.
                }
            }

            using var response = await _rig.Http.GetAsync(new Uri("/api/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // The server closes the connections over the quota as it accepts them; the idle ones it keeps send nothing.
            var expected = held.Count - Quota;
            var closed = 0;
            for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); closed != expected && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
                closed = held.Count(c => !c.Connected || c.Client.Poll(0, SelectMode.SelectRead));
            }

            Assert.Equal(expected, closed);
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    // A refused connection (all slots taken) fails at once; try again until one is served or the deadline passes.
    private async Task<bool> ServedBeforeAsync(DateTime deadline)
    {
        while (DateTime.UtcNow < deadline)
        {
            using var http = new HttpClient { BaseAddress = _rig.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                using var response = await http.GetAsync(new Uri("/api/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
                // Not served yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        return false;
    }
}
