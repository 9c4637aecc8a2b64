using System.Text;
using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Persistence;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>The epoch metadata of a stored state: the kept result as bytes, and what earlier versions wrote.</summary>
public sealed class ArrayDictStateMetadataTests
{
    private static readonly ArrayDictStateSerializer StateSerializer = new(TestKeptResults.Serializer);

    [Fact]
    public void DecodeMetadata_KeptResult_ReadsBackEqualWithItsFingerprints()
    {
        var written = new ArrayDictState { LastEpoch = 12, LastResult = KeptResult.Of(TestKeptResults.Serializer, new Sw1StepResult(2.5, 7, Done: true), 0xABCDEF) };

        var read = new ArrayDictState();
        string? adopted = StateSerializer.DecodeMetadata(StateSerializer.EncodeMetadata(written, "full-etag"), read);

        Assert.Equal("full-etag", adopted);
        Assert.Equal(12, read.LastEpoch);
        Assert.Equal(written.LastResult, read.LastResult);
        Assert.Equal(0xABCDEFUL, read.LastResult!.MethodFingerprint);
        Assert.True(read.LastResult.IsFrom<Sw1StepResult>(0xABCDEF));
        Assert.False(read.LastResult.IsFrom<Sw1StepResult>(0xABCDEE));
        Assert.False(read.LastResult.IsFrom<object>(0xABCDEF));
        Assert.Equal(new Sw1StepResult(2.5, 7, Done: true), read.LastResult.Read<Sw1StepResult>(TestKeptResults.Serializer));
    }

    [Fact]
    public void DecodeMetadata_ResultKeptAsObjectByEarlierVersion_ReadsAsResultOfAnyMethod()
    {
        byte[] legacy = TestKeptResults.Serializer.SerializeToArray(new ArrayDictStateMetadata { LastEpoch = 4, LegacyResult = new Sw1StepResult(1.5, 3, Done: false) });

        var read = new ArrayDictState();
        StateSerializer.DecodeMetadata(legacy, read);

        Assert.Equal(4, read.LastEpoch);
        Assert.Equal(KeptResult.Unknown, read.LastResult!.MethodFingerprint);
        Assert.True(read.LastResult.IsFrom<Sw1StepResult>(0x1234));
        Assert.Equal(new Sw1StepResult(1.5, 3, Done: false), read.LastResult.Read<Sw1StepResult>(TestKeptResults.Serializer));
        Assert.Throws<InvalidCastException>(() => read.LastResult.Read<string>(TestKeptResults.Serializer));
    }

    [Fact]
    public void DecodeMetadata_ResultOfEarlierVersionWhoseTypeIsGone_ReadsEpochWithoutResult()
    {
        byte[] legacy = TestKeptResults.Serializer.SerializeToArray(new ArrayDictStateMetadata { LastEpoch = 9, LegacyResult = new RenamedResult(42), AdoptedFullETag = "etag-1" });
        byte[] alias = Encoding.UTF8.GetBytes(RenamedResult.Alias);
        int at = legacy.AsSpan().IndexOf(alias);
        Assert.True(at >= 0, "the result's type is written by its alias");
        Encoding.UTF8.GetBytes(RenamedResult.Alias.Replace("Renamed", "Removed", StringComparison.Ordinal)).CopyTo(legacy, at);

        var read = new ArrayDictState();
        string? adopted = StateSerializer.DecodeMetadata(legacy, read);

        Assert.Equal(9, read.LastEpoch);
        Assert.Null(read.LastResult);
        Assert.Equal("etag-1", adopted);
    }

    [Fact]
    public void DecodeMetadata_Garbage_ThrowsSnapshotFormatError()
    {
        var error = Assert.Throws<SnapshotFormatException>(() => StateSerializer.DecodeMetadata(new byte[] { 0xFF, 0x03, 0x99 }, new ArrayDictState()));

        Assert.Contains("epoch metadata cannot be read", error.Message);
    }

    [Fact]
    public void KeptResult_Of_NullResult_ReadsBackNull()
    {
        var kept = KeptResult.Of<string?>(TestKeptResults.Serializer, null, 5);

        Assert.Null(kept.Read<string?>(TestKeptResults.Serializer));
        Assert.True(kept.IsFrom<string?>(5));
    }

    /// <summary>A result type whose alias the test renames in stored bytes, as if the type had been renamed or removed.</summary>
    [GenerateSerializer, Immutable, Alias(Alias)]
    public sealed record RenamedResult([property: Id(0)] int Value)
    {
        public const string Alias = "tests.RenamedResult";
    }
}
