using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace ArrayDictOrleans.Tests.Hosting;

/// <summary>The TCP sockets a process listens on, read from Linux's <c>/proc</c>: what <c>ss -ltnp</c> shows for it.</summary>
public static class ListeningSockets
{
    private const string Listen = "0A";

    public static IReadOnlyList<IPEndPoint> Of(int processId)
    {
        if (!File.Exists("/proc/net/tcp"))
        {
            throw new PlatformNotSupportedException("Listening sockets are read from /proc/net/tcp, which only Linux has.");
        }

        var inodes = new HashSet<string>();
        foreach (string descriptor in Directory.EnumerateFileSystemEntries($"/proc/{processId}/fd"))
        {
            string? target = new FileInfo(descriptor).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target["socket:[".Length..^1]);
            }
        }

        var endpoints = new List<IPEndPoint>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == Listen && inodes.Contains(fields[9]))
                {
                    endpoints.Add(ParseEndpoint(fields[1]));
                }
            }
        }

        return endpoints;
    }

    /// <summary>An address as /proc prints it: hex 32-bit words in host byte order, then the port, e.g. <c>0100007F:1F90</c> for 127.0.0.1:8080.</summary>
    private static IPEndPoint ParseEndpoint(string field)
    {
        string[] parts = field.Split(':');
        string hex = parts[0];
        var bytes = new byte[hex.Length / 2];
        for (int word = 0; word < hex.Length / 8; word++)
        {
            uint value = uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(word * 4, 4), value);
        }

        return new IPEndPoint(new IPAddress(bytes), int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
