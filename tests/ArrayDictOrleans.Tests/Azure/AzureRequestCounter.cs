using System.Collections.Concurrent;
using System.Web;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// Counts the HTTP requests a blob client sends (each retry too, when added per retry), named by operation:
/// the method, then the <c>comp</c> query value (<c>appendblock</c>, <c>metadata</c>, ...) or, for a Put Blob,
/// the blob type (<c>PUT AppendBlob</c>, <c>PUT BlockBlob</c>).
/// </summary>
internal sealed class AzureRequestCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentQueue<string> _operations = new();

    /// <summary>Gets the operations sent so far, in order.</summary>
    public IReadOnlyList<string> Operations => [.. _operations];

    /// <summary>Forgets the operations sent so far.</summary>
    public void Clear() => _operations.Clear();

    /// <summary>Runs <paramref name="action"/> and returns the operations it sent.</summary>
    public async Task<IReadOnlyList<string>> CountAsync(Func<Task> action)
    {
        Clear();
        await action();
        return Operations;
    }

    /// <inheritdoc />
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        string? comp = HttpUtility.ParseQueryString(request.Uri.Query).Get("comp");
        string detail = comp
            ?? (request.Method == RequestMethod.Put && request.Headers.TryGetValue("x-ms-blob-type", out var blobType) ? blobType : null)
            ?? string.Empty;
        _operations.Enqueue($"{request.Method} {detail}".TrimEnd());
    }
}
