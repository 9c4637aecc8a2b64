using System.Net.Sockets;
using Azure;
using Orleans.Serialization;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>Which storage failures may pass, so that repeating the call can succeed.</summary>
internal static class StorageFailures
{
    /// <summary>
    /// Whether the causes of <paramref name="exception"/> show storage that did not answer, was busy or was slow (I/O and
    /// network errors, timeouts, HTTP 408, 429 and 5xx) and nothing that will recur: a state or result the serializer
    /// cannot write, damaged stored bytes, a record too large, a refused request (other HTTP 4xx), missing permissions.
    /// A failure with no known cause counts as recurring: a caller then fails at once instead of repeating an expensive
    /// method in vain.
    /// </summary>
    public static bool MayPass(Exception exception)
    {
        bool passing = false;
        foreach (var cause in ExceptionCauses.Of(exception))
        {
            switch (cause)
            {
                case SnapshotFormatException or InvalidDataException or SerializerException or NotSupportedException:
                case ArgumentException or InvalidOperationException or OutOfMemoryException or UnauthorizedAccessException:
                case RequestFailedException { Status: > 0 and < 500 and not (408 or 429) }:
                case ArrayDictStorageException { IsTransient: false }:
                    return false;
                case IOException or TimeoutException or HttpRequestException or SocketException or OperationCanceledException:
                case RequestFailedException:
                case ArrayDictStorageException:
                    passing = true;
                    break;
            }
        }

        return passing;
    }
}
