using System.Net;
using System.Net.Sockets;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>Where the cluster tests find what they start, and ports for it.</summary>
internal static class ClusterPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The folder that holds ArrayDictOrleans.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The silo program, copied beside the tests by the project reference; run with <c>dotnet</c>.</summary>
    public static string SiloDll => Path.Combine(AppContext.BaseDirectory, "ArrayDictOrleans.Silo.dll");

    /// <summary>Ports that are free on 127.0.0.1 now, all different: each is held open until all are chosen.</summary>
    public static int[] FreeLoopbackPorts(int count)
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

            return listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ArrayDictOrleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds ArrayDictOrleans.sln.");
    }
}
