using System.Net.Sockets;
using ArrayDictOrleans.Client;
using Azure;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// What a caller sees of a storage outage, and whether the SDK retries it. An activation that cannot read its snapshot
/// fails with Orleans' <see cref="OrleansException"/> around the storage client's error (as the outage test meets it).
/// </summary>
public sealed class StorageFailureClassificationTests
{
    [Fact]
    public void IsTransient_ActivationCouldNotReachBlobStorage_IsTransient()
    {
        var refused = new RequestFailedException(0, "Connection refused (127.0.0.1:10000)", new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)));
        var retries = new AggregateException("Retry failed after 3 tries.", refused, refused);
        var failure = new OrleansException("Error from storage provider AzureBlobGrainStorage.arraydict during ReadStateAsync for grain arraydict/E6", retries);

        Assert.True(TransientFailures.IsTransient(failure));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(429)]
    public void IsTransient_ActivationMetBusyStorage_IsTransient(int status)
    {
        var failure = new OrleansException("Error from storage provider during ReadStateAsync", new RequestFailedException(status, "busy"));

        Assert.True(TransientFailures.IsTransient(failure));
    }

    [Fact]
    public void IsTransient_ActivationFoundCorruptSnapshot_IsNotTransient()
    {
        var corrupt = new SnapshotFormatException("The snapshot's checksum does not match.", new IOException("short read"));
        var failure = new OrleansException("Error from storage provider during ReadStateAsync", new AggregateException(corrupt, new TimeoutException()));

        Assert.False(TransientFailures.IsTransient(failure));
    }

    [Theory]
    [InlineData(403)]
    [InlineData(400)]
    public void IsTransient_StorageRefusedTheRequest_IsNotTransient(int status)
    {
        var failure = new OrleansException("Error from storage provider during ReadStateAsync", new RequestFailedException(status, "denied"));

        Assert.False(TransientFailures.IsTransient(failure));
    }

    [Fact]
    public void IsTransient_OrleansExceptionWithoutStorageCause_IsNotTransient()
    {
        Assert.False(TransientFailures.IsTransient(new OrleansException("Something else.", new InvalidOperationException("bad"))));
        Assert.False(TransientFailures.IsTransient(new OrleansException("Nothing inside.")));
    }
}
