using System.Net;
using System.Net.Sockets;

namespace ArrayDictOrleans.Tests.Hosting;

/// <summary>Loopback ports nobody listens on right now, so that tests can run side by side.</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
