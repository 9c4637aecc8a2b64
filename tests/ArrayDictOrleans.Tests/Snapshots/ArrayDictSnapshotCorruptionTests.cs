using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using ArrayDictOrleans.Tests.Collections;

namespace ArrayDictOrleans.Tests.Snapshots;

public class ArrayDictSnapshotCorruptionTests
{
    public static TheoryData<string> Readers => new(SnapshotChannels.Readers);

    public static TheoryData<string, int, int> ReadersAndSmallDicts
    {
        get
        {
            var data = new TheoryData<string, int, int>();
            foreach (string reader in SnapshotChannels.Readers)
            {
                data.Add(reader, 5, 2);
                data.Add(reader, 1, 1);
                data.Add(reader, 0, 3);
            }

            return data;
        }
    }

    /// <summary>5 rows of width 2 plus 3 bytes of metadata: 171 bytes.</summary>
    private static byte[] SmallSnapshot(int rows = 5, int width = 2, int metadataLength = 3)
    {
        var dict = ArrayDictAssert.Filled(width, rows);
        return ArrayDictSnapshot.ToArray(dict, Enumerable.Range(1, metadataLength).Select(i => (byte)i).ToArray());
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_EverySingleByteChange_ThrowsSnapshotFormat(string reader)
    {
        byte[] original = SmallSnapshot();
        Assert.Equal(171, original.Length);
        var undetected = new List<string>();

        for (int position = 0; position < original.Length; position++)
        {
            for (int delta = 1; delta < 256; delta++)
            {
                byte[] bytes = (byte[])original.Clone();
                bytes[position] ^= (byte)delta;
                try
                {
                    await SnapshotChannels.ReadAsync(bytes, reader);
                    undetected.Add($"byte {position} ^ 0x{delta:X2}");
                }
                catch (SnapshotFormatException error)
                {
                    Assert.False(string.IsNullOrWhiteSpace(error.Message));
                }
            }
        }

        Assert.Empty(undetected);
    }

    [Theory]
    [MemberData(nameof(ReadersAndSmallDicts))]
    public async Task ArrayDictSnapshot_Read_EveryTruncation_ThrowsSnapshotFormatSayingTruncated(string reader, int rows, int width)
    {
        byte[] original = SmallSnapshot(rows, width);

        for (int length = 0; length < original.Length; length++)
        {
            byte[] bytes = original[..length];

            var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        }

        var whole = await SnapshotChannels.ReadAsync(original, reader);
        Assert.Equal(rows, whole.Dict.Count);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_WrongMagic_ThrowsSnapshotFormatSayingNotASnapshot(string reader)
    {
        byte[] bytes = SmallSnapshot();
        bytes[1] = (byte)'X';

        var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

        Assert.Contains("not an ArrayDict snapshot", error.Message, StringComparison.Ordinal);
        Assert.Contains("ADSNAP", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_OtherData_ThrowsSnapshotFormatSayingNotASnapshot(string reader)
    {
        byte[] bytes = "{\"keys\":[1,2,3],\"values\":[0.5,1.5,2.5],\"padding\":\"................\"}"u8.ToArray();

        var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

        Assert.Contains("not an ArrayDict snapshot", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_UnknownVersion_ThrowsSnapshotFormatNamingTheVersion(string reader)
    {
        byte[] bytes = SmallSnapshot();
        RewriteHeader(bytes, header => BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 2));

        var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

        Assert.Contains("format version 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("version 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flags", "flags")]
    [InlineData("width-zero", "width 0")]
    [InlineData("width-negative", "width -3")]
    [InlineData("count-negative", "-1 rows")]
    [InlineData("count-huge", "rows")]
    [InlineData("count-larger", "truncated")]
    [InlineData("count-smaller", "corrupted|appended")]
    [InlineData("metadata-negative", "metadata")]
    [InlineData("metadata-huge", "metadata")]
    [InlineData("metadata-larger", "truncated")]
    public async Task ArrayDictSnapshot_Read_InconsistentHeaderWithValidChecksum_ThrowsSnapshotFormat(string damage, string expectedInMessage)
    {
        foreach (string reader in SnapshotChannels.Readers)
        {
            byte[] bytes = SmallSnapshot();
            RewriteHeader(bytes, header =>
            {
                switch (damage)
                {
                    case "flags":
                        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 1);
                        break;
                    case "width-zero":
                        BinaryPrimitives.WriteInt32LittleEndian(header[12..], 0);
                        break;
                    case "width-negative":
                        BinaryPrimitives.WriteInt32LittleEndian(header[12..], -3);
                        break;
                    case "count-negative":
                        BinaryPrimitives.WriteInt64LittleEndian(header[16..], -1);
                        break;
                    case "count-huge":
                        BinaryPrimitives.WriteInt64LittleEndian(header[16..], long.MaxValue);
                        break;
                    case "count-larger":
                        BinaryPrimitives.WriteInt64LittleEndian(header[16..], 6);
                        break;
                    case "count-smaller":
                        BinaryPrimitives.WriteInt64LittleEndian(header[16..], 4);
                        break;
                    case "metadata-negative":
                        BinaryPrimitives.WriteInt64LittleEndian(header[24..], -1);
                        break;
                    case "metadata-huge":
                        BinaryPrimitives.WriteInt64LittleEndian(header[24..], long.MaxValue);
                        break;
                    case "metadata-larger":
                        BinaryPrimitives.WriteInt64LittleEndian(header[24..], 1000);
                        break;
                }
            });

            var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

            Assert.Contains(expectedInMessage.Split('|'), expected => error.Message.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_HugeClaimedCountOnSmallInput_FailsWithoutAllocatingIt(string reader)
    {
        byte[] bytes = SmallSnapshot();
        RewriteHeader(bytes, header => BinaryPrimitives.WriteInt64LittleEndian(header[16..], 500_000_000));
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_ClaimedMetadataOverCap_FailsNamingTheCapWithoutAllocatingIt(string reader)
    {
        byte[] bytes = SmallSnapshot();
        RewriteHeader(bytes, header => BinaryPrimitives.WriteInt64LittleEndian(header[24..], ArrayDictSnapshot.MaxMetadataLength + 1L));
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

        Assert.Contains($"{ArrayDictSnapshot.MaxMetadataLength + 1L} bytes of metadata", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
    }

    [Fact]
    public void ArrayDictSnapshot_Write_MetadataOverCap_ThrowsBeforeWriting()
    {
        var stream = new MemoryStream();

        var error = Assert.Throws<InvalidOperationException>(() => ArrayDictSnapshot.Write(new ArrayDict(1), stream, new byte[ArrayDictSnapshot.MaxMetadataLength + 1]));

        Assert.Contains($"{ArrayDictSnapshot.MaxMetadataLength}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ArrayDictSnapshot_ReadNonSeekable_HugeClaimOnAStreamThatKeepsGoing_AllocatesOnlyWhatArrived(bool isAsync)
    {
        // A header claiming 100 million rows (1.6 GB) over a stream holding 3 MiB of them: the reader, which cannot know
        // the stream's length, must have allocated about what arrived, not what was claimed, when the stream ends.
        byte[] header = new byte[ArrayDictSnapshot.HeaderSize];
        new ArrayDictSnapshotHeader(1, 100_000_000, 0).WriteTo(header);
        byte[] bytes = [.. header, .. new byte[3 << 20]];
        long before = GC.GetTotalAllocatedBytes(precise: true);

        var error = await Assert.ThrowsAsync<SnapshotFormatException>(async () =>
        {
            var stream = new NonSeekableStream(new MemoryStream(bytes, writable: false), maxReadSize: 65536);
            _ = isAsync ? (await ArrayDictSnapshot.ReadWithMetadataAsync(stream)).Dict : ArrayDictSnapshot.Read(stream);
        });
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64L << 20, $"Reading allocated {allocated} bytes for a claim of 1.6 GB over 3 MiB.");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_DuplicateKeyWithValidChecksums_ThrowsSnapshotFormatNamingTheKey(string reader)
    {
        byte[] bytes = SmallSnapshot();
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(40 + 8), 12);
        RewriteChecksum(bytes);

        var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

        Assert.Contains("the key 12 twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_BodyChange_ThrowsSnapshotFormatSayingCorrupted(string reader)
    {
        byte[] bytes = SmallSnapshot();
        bytes[100] ^= 0x10;

        var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

        Assert.Contains("corrupted", error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_HeaderChange_ThrowsSnapshotFormatSayingHeaderCorrupted(string reader)
    {
        byte[] bytes = SmallSnapshot();
        bytes[16] ^= 0x01;

        var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync(bytes, reader));

        Assert.Contains("header is corrupted", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(1000)]
    public void ArrayDictSnapshot_ReadSequence_BytesAppended_ThrowsSnapshotFormat(int extra)
    {
        byte[] snapshot = SmallSnapshot();
        byte[] bytes = [.. snapshot, .. new byte[extra]];

        var single = Assert.Throws<SnapshotFormatException>(() => ArrayDictSnapshot.ReadWithMetadata(new ReadOnlySequence<byte>(bytes)));
        var chunked = Assert.Throws<SnapshotFormatException>(() => ArrayDictSnapshot.Read(ChunkedSequence.Create(bytes, 10, 1)));
        var data = Assert.Throws<SnapshotFormatException>(() => ArrayDictSnapshot.Read(new BinaryData(bytes)));
        var memory = Assert.Throws<SnapshotFormatException>(() => ArrayDictSnapshot.Read(bytes.AsMemory()));

        foreach (var error in new[] { single, chunked, data, memory })
        {
            Assert.Contains("appended", error.Message, StringComparison.Ordinal);
            ArrayDictAssert.Mentions(error.Message, snapshot.Length);
            ArrayDictAssert.Mentions(error.Message, bytes.Length);
        }
    }

    [Fact]
    public void ArrayDictSnapshot_ReadSequence_TwoSnapshots_ThrowsSnapshotFormat()
    {
        byte[] snapshot = SmallSnapshot();
        byte[] bytes = [.. snapshot, .. snapshot];

        Assert.Throws<SnapshotFormatException>(() => ArrayDictSnapshot.Read(new ReadOnlySequence<byte>(bytes)));
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ArrayDictSnapshot_Read_Empty_ThrowsSnapshotFormatSayingTruncated(string reader)
    {
        var error = await Assert.ThrowsAsync<SnapshotFormatException>(() => SnapshotChannels.ReadAsync([], reader));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SnapshotFormatException_Constructors_KeepMessageAndInner()
    {
        var inner = new IOException("disk");

        var error = new SnapshotFormatException("bad", inner);

        Assert.Equal("bad", error.Message);
        Assert.Same(inner, error.InnerException);
        Assert.Equal("only", new SnapshotFormatException("only").Message);
    }

    /// <summary>Changes header fields and recomputes both checksums, so that only the changed field is wrong.</summary>
    private static void RewriteHeader(byte[] bytes, SpanAction change)
    {
        change(bytes.AsSpan(0, 40));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(32), XxHash64.HashToUInt64(bytes.AsSpan(0, 32)));
        RewriteChecksum(bytes);
    }

    private static void RewriteChecksum(byte[] bytes) =>
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));

    private delegate void SpanAction(Span<byte> header);
}
