using System.Net;
using System.Net.Sockets;

namespace ArrayDictOrleans.Tests.Hosting;

/// <summary>Loopback ports nobody listens on right now, so that tests can run side by side.</summary>
public static class FreePorts
{
    /// <summary>One free port.</summary>
    public static int Next() => Take(1)[0];

    /// <summary><paramref name="count"/> distinct free ports: each is held open until all are chosen.</summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
