using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// At most <see cref="DashboardOptions.MaxConnectionsPerAddress"/> open connections from one client address: Kestrel's
/// own cap counts the whole server, so one client holding idle connections (each dropped only after the keep-alive
/// timeout, and opened again at once) could keep every other client out. A connection over the quota is closed
/// before TLS or HTTP is read. Runs as Kestrel connection middleware on every listening address.
/// </summary>
internal sealed class ConnectionQuota(int perAddress, ILogger logger)
{
    // A plain lock: connections open a few times a second at most, and an address leaves the table when its last
    // connection closes, so many client addresses (an IPv6 /64) cannot grow it.
    private readonly Dictionary<IPAddress, int> _open = [];
    private readonly HashSet<IPAddress> _warned = [];

    /// <summary>The connection middleware, for <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        // Unix sockets and other transports have no address to count; IPv4 seen through IPv6 sockets counts as IPv4.
        if (connection.RemoteEndPoint is not IPEndPoint { Address: var raw })
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var address = raw.IsIPv4MappedToIPv6 ? raw.MapToIPv4() : raw;
        if (!TryOpen(address))
        {
            connection.Abort(new ConnectionAbortedException("over the per-address connection quota"));
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Close(address);
        }
    };

    private bool TryOpen(IPAddress address)
    {
        lock (_open)
        {
            var count = _open.GetValueOrDefault(address);
            if (count < perAddress)
            {
                _open[address] = count + 1;
                return true;
            }

            // Once per burst, not per refused connection: the warning comes back after the address fell under quota.
            if (_warned.Add(address))
            {
                Log.ConnectionQuotaReached(logger, address.ToString(), perAddress);
            }

            return false;
        }
    }

    private void Close(IPAddress address)
    {
        lock (_open)
        {
            var count = _open[address] - 1;
            if (count == 0)
            {
                _open.Remove(address);
            }
            else
            {
                _open[address] = count;
            }

            if (count < perAddress)
            {
                _warned.Remove(address);
            }
        }
    }
}
