using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace GainCal.Tests.Cluster;

/// <summary>
/// The command hosts of the lab's nodes (127.0.0.1:9110 inside each node's network namespace), reachable from the
/// test process through a forwarder on the test's own loopback: for each connection the forwarder makes the socket on
/// a thread that has entered the node's namespace (setns applies to the calling thread only; a socket stays in the
/// namespace it was made in). A status poll is then one TCP round trip instead of a `gaincal` process started in the
/// namespace, which on two loaded cores took seconds of CPU each and made the polls miss short-lived run states.
/// The test's own threads stay in its namespace, which still cannot reach 10.77.0.x.
/// </summary>
public sealed class LabCommandHosts : IDisposable
{
    const int CommandPort = 9110;
    const int CloneNewNet = 0x40000000;
    readonly Dictionary<string, (TcpListener Listener, string Endpoint)> _forwarders = [];
    readonly CancellationTokenSource _stop = new();

    [DllImport("libc", SetLastError = true)]
    static extern int setns(int fd, int nstype);

    [DllImport("libc", SetLastError = true)]
    static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    static extern int close(int fd);

    /// <summary>The test-side endpoint of the node's command host (node1, node2, ...).</summary>
    public string Endpoint(string node)
    {
        lock (_forwarders)
        {
            if (_forwarders.TryGetValue(node, out var f)) return f.Endpoint;
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var endpoint = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
            _forwarders[node] = (listener, endpoint);
            _ = Task.Run(() => ForwardAsync(node, listener));
            return endpoint;
        }
    }

    async Task ForwardAsync(string node, TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    // A node that is down (killed, cut off) refuses: the client sees the connection closed, as it
                    // would see a refused connect.
                    using var inside = ConnectInside(node);
                    if (inside is null) return;
                    await using var a = client.GetStream();
                    await using var b = new NetworkStream(inside, ownsSocket: false);
                    await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
                }
            });
        }
    }

    static Socket? ConnectInside(string node)
    {
        Socket? connected = null;
        var thread = new Thread(() =>
        {
            var fd = open($"/var/run/netns/gclab-{node}", 0);
            if (fd < 0) return;
            try
            {
                if (setns(fd, CloneNewNet) != 0) return;
            }
            finally
            {
                close(fd);
            }
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Connect(IPAddress.Loopback, CommandPort);
                connected = socket;
            }
            catch (SocketException)
            {
                socket.Dispose();
            }
        });
        thread.Start();
        thread.Join();
        return connected;
    }

    public void Dispose()
    {
        _stop.Cancel();
        lock (_forwarders)
            foreach (var (listener, _) in _forwarders.Values)
                listener.Stop();
    }
}
