using System.Net;
using System.Net.Sockets;

namespace DisclosurePipeline.Tests.Infrastructure;

internal static class FreePort
{
    /// <summary>A TCP port on loopback that nothing listens on right now.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on the port.</summary>
    public static Task WaitForListenerAsync(int port, TimeSpan timeout, CancellationToken cancellationToken) =>
        Eventually.UntilAsync(
            async ct =>
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return true;
            },
            $"a listener on port {port}",
            cancellationToken,
            timeout);
}
