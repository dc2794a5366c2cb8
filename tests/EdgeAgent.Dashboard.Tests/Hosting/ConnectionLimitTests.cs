using System.Net.Sockets;
using System.Text;
using EdgeAgent.Dashboard.Tests.Support;

namespace EdgeAgent.Dashboard.Tests.Hosting;

/// <summary>
/// Idle connections cannot lock the dashboard out: with all 32 connection slots taken by clients that send nothing,
/// or only the start of a request, Kestrel's keep-alive and request-header timeouts drop them and a new request is
/// served again (it used to wait for Kestrel's default 130 s keep-alive).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private const int Slots = 32;

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
            for (var i = 0; i < Slots; i++)
            {
                var client = new TcpClient();
                idle.Add(client);
                await client.ConnectAsync(_rig.Http.BaseAddress!.Host, _rig.Http.BaseAddress.Port);
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(sentByEachIdleConnection));
            }

            Assert.True(await ServedBeforeAsync(DateTime.UtcNow + Deadline), $"no request was served within {Deadline.TotalSeconds} s of {Slots} idle connections");
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
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
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not served yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        return false;
    }
}
