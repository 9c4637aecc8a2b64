using System.Net.Sockets;
using ArrayDictOrleans.Client;
using ArrayDictOrleans.Grains.Persistence;
using Azure;
using Orleans.Serialization;

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

    [Fact]
    public void IsTransient_StorageFailureThatMayPass_IsTransient()
    {
        Assert.True(TransientFailures.IsTransient(new ArrayDictStorageException(1, "disk busy", new IOException("busy"), isTransient: true)));
    }

    [Fact]
    public void IsTransient_StorageFailureThatRecurs_IsNotTransient()
    {
        var recurring = new ArrayDictStorageException(1, "no serializer", new NotSupportedException("no serializer"), isTransient: false);

        Assert.False(TransientFailures.IsTransient(recurring));
        Assert.False(TransientFailures.IsTransient(new OrleansException("Error from storage provider during ReadStateAsync", recurring)));
    }

    [Fact]
    public void IsTransient_PlacementExpiredWhileSiloEvicted_IsTransient()
    {
        Assert.True(TransientFailures.IsTransient(new OperationCanceledException($"{TransientFailures.PlacementExpired} for grain arraydict/7.")));
    }

    [Fact]
    public void IsTransient_OtherCancellation_IsNotTransient()
    {
        Assert.False(TransientFailures.IsTransient(new OperationCanceledException()));
        Assert.False(TransientFailures.IsTransient(new TaskCanceledException("The caller cancelled.")));
    }

    [Fact]
    public void IsTransient_EpochRefused_IsNotTransient()
    {
        Assert.False(TransientFailures.IsTransient(new EpochMismatchException(1, 5, 4, 2)));
        Assert.False(TransientFailures.IsTransient(new KeptResultException(1, 5, "another call")));
    }

    [Theory]
    [InlineData(503, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(0, true)]
    [InlineData(413, false)]
    [InlineData(403, false)]
    public void MayPass_BlobStorageAnswered_PassesOnlyWhenBusyOrUnreachable(int status, bool passes)
    {
        var failure = new OrleansException("Error from storage provider during WriteStateAsync", new RequestFailedException(status, "answered"));

        Assert.Equal(passes, StorageFailures.MayPass(failure));
    }

    [Fact]
    public void MayPass_LocalFileUnreachableOrSlow_Passes()
    {
        Assert.True(StorageFailures.MayPass(new OrleansException("Error from storage provider", new IOException("No space left on device"))));
        Assert.True(StorageFailures.MayPass(new TimeoutException("slow")));
        Assert.True(StorageFailures.MayPass(new AggregateException(new SocketException((int)SocketError.ConnectionRefused))));
    }

    [Fact]
    public void MayPass_FailureThatRecurs_DoesNotPass()
    {
        Assert.False(StorageFailures.MayPass(new OrleansException("Error from storage provider", new CodecNotFoundException("no codec for MyResult"))));
        Assert.False(StorageFailures.MayPass(new OrleansException("Error from storage provider", new InvalidOperationException("A journal record of 3000000000 bytes does not fit one array."))));
        Assert.False(StorageFailures.MayPass(new OrleansException("Error from storage provider", new IOException("wrapped", new SnapshotFormatException("damaged")))));
        Assert.False(StorageFailures.MayPass(new OrleansException("Error from storage provider", new UnauthorizedAccessException("denied"))));
        Assert.False(StorageFailures.MayPass(new InvalidTimeZoneException("unknown")));
    }
}
