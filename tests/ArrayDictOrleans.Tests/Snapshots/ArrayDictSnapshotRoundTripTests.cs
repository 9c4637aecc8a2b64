using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using ArrayDictOrleans.Tests.Collections;

namespace ArrayDictOrleans.Tests.Snapshots;

public class ArrayDictSnapshotRoundTripTests
{
    public static TheoryData<int, int, string> RowsWidthsAndChannels
    {
        get
        {
            var data = new TheoryData<int, int, string>();
            foreach (int rows in new[] { 0, 1, 1_000_000 })
            {
                foreach (int width in new[] { 1, 3 })
                {
                    foreach (string channel in SnapshotChannels.All)
                    {
                        data.Add(rows, width, channel);
                    }
                }
            }

            return data;
        }
    }

    public static TheoryData<string> Channels => new(SnapshotChannels.All);

    [Theory]
    [MemberData(nameof(RowsWidthsAndChannels))]
    public async Task ArrayDictSnapshot_RoundTrip_RowsAndWidth_RestoresEveryKeyAndValue(int rows, int width, string channel)
    {
        var dict = ArrayDictAssert.Filled(width, rows);
        if (rows > 0)
        {
            dict.Remove(0);
            dict.SetRow(long.MinValue, Enumerable.Repeat(-0.0, width).ToArray());
            if (rows > 1)
            {
                dict.SetRow(long.MaxValue, Enumerable.Repeat(double.NaN, width).ToArray());
                dict.GetRow(3)[0] = double.PositiveInfinity;
            }
        }

        var (read, metadata, size) = await SnapshotChannels.RoundTripAsync(dict, [], channel);

        Assert.Equal(ArrayDictSnapshot.GetSize(dict), size);
        Assert.Equal(48 + ((long)dict.Count * (8 + (8 * width))), size);
        Assert.Equal(width, read.Width);
        Assert.Equal(dict.Count, read.Count);
        Assert.Equal(read.Count, read.RowLimit);
        Assert.Equal(0, read.FreeRowCount);
        Assert.True(dict.ContentEquals(read));
        Assert.True(read.ContentEquals(dict));
        Assert.True(metadata is null || metadata.Length == 0);
        if (rows > 0)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(read.GetRowReadOnly(long.MinValue)[0]) == BitConverter.DoubleToInt64Bits(-0.0));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(1000)]
    [InlineData(1_000_000)]
    public void ArrayDictSnapshot_Size_ScalarRows_Is48Plus16PerRow(int rows)
    {
        var dict = ArrayDictAssert.Filled(1, rows);

        byte[] bytes = ArrayDictSnapshot.ToArray(dict);

        Assert.Equal(48 + (16L * rows), bytes.Length);
        Assert.Equal(bytes.Length, ArrayDictSnapshot.GetSize(dict));
        Assert.Equal(ArrayDictSnapshot.Overhead, 48);
    }

    [Theory]
    [InlineData(1, 10, 0)]
    [InlineData(3, 10, 0)]
    [InlineData(3, 10, 17)]
    [InlineData(8, 0, 3)]
    public void ArrayDictSnapshot_Size_AnyWidthAndMetadata_IsOverheadPlusRowsPlusMetadata(int width, int rows, int metadataLength)
    {
        var dict = ArrayDictAssert.Filled(width, rows);

        byte[] bytes = ArrayDictSnapshot.ToArray(dict, new byte[metadataLength]);

        Assert.Equal(48 + (rows * (8 + (8 * width))) + metadataLength, bytes.Length);
        Assert.Equal(bytes.Length, ArrayDictSnapshot.GetSize(dict, metadataLength));
    }

    [Fact]
    public void ArrayDictSnapshot_GetSize_NegativeMetadata_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ArrayDictSnapshot.GetSize(new ArrayDict(), -1));
    }

    [Theory]
    [MemberData(nameof(Channels))]
    public async Task ArrayDictSnapshot_RoundTrip_WithHoles_HoldsOnlyRowsInUseInRowOrder(string channel)
    {
        var dict = ArrayDictAssert.Filled(2, 1000);
        for (long key = 0; key < 3000; key += 21)
        {
            dict.Remove(key);
        }

        dict.Remove(2997);
        dict.AddRow(-5).Fill(-5);
        var keysInRowOrder = dict.Keys.ToList();
        Assert.True(dict.FreeRowCount > 0);

        var (read, _, size) = await SnapshotChannels.RoundTripAsync(dict, [], channel);

        Assert.Equal(48 + (dict.Count * 24L), size);
        Assert.True(dict.ContentEquals(read));
        Assert.Equal(keysInRowOrder, read.Keys);
        Assert.Equal(Enumerable.Range(0, read.Count), read.Keys.Select(read.IndexOf));
        Assert.Equal(0, read.FreeRowCount);
    }

    [Theory]
    [MemberData(nameof(Channels))]
    public async Task ArrayDictSnapshot_RoundTrip_Metadata_ComesBackUnchanged(string channel)
    {
        var dict = ArrayDictAssert.Filled(3, 10);
        foreach (int length in new[] { 0, 1, 1000, 70_000 })
        {
            byte[] metadata = Enumerable.Range(0, length).Select(i => (byte)(i * 31)).ToArray();

            var (read, readMetadata, size) = await SnapshotChannels.RoundTripAsync(dict, metadata, channel);

            Assert.True(dict.ContentEquals(read));
            Assert.Equal(ArrayDictSnapshot.GetSize(dict, length), size);
            if (readMetadata is not null)
            {
                Assert.Equal(metadata, readMetadata);
            }
        }
    }

    [Fact]
    public async Task ArrayDictSnapshot_Writers_SameDict_WriteIdenticalBytes()
    {
        var dict = ArrayDictAssert.Filled(2, 3000);
        dict.Remove(300);
        byte[] metadata = [1, 2, 3];

        using var sync = new MemoryStream();
        ArrayDictSnapshot.Write(dict, sync, metadata);
        using var async = new MemoryStream();
        await ArrayDictSnapshot.WriteAsync(dict, async, metadata);
        var writer = new SegmentedBufferWriter(100);
        ArrayDictSnapshot.Write(dict, writer, metadata);
        byte[] array = ArrayDictSnapshot.ToArray(dict, metadata);

        Assert.Equal(array, sync.ToArray());
        Assert.Equal(array, async.ToArray());
        Assert.Equal(array, writer.ToSequence().ToArray());
    }

    [Fact]
    public void ArrayDictSnapshot_Bytes_SmallDict_FollowTheDocumentedLayout()
    {
        var dict = new ArrayDict(2);
        dict.SetRow(10, [1.5, -2]);
        dict.SetRow(-7, [3, 4]);
        dict.SetRow(99, [5, 6]);
        dict.Remove(10);
        byte[] metadata = "hello"u8.ToArray();

        byte[] bytes = ArrayDictSnapshot.ToArray(dict, metadata);
        var span = bytes.AsSpan();

        Assert.Equal("ADSNAP\r\n"u8.ToArray(), bytes[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(span[8..]));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(span[10..]));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(span[12..]));
        Assert.Equal(2, BinaryPrimitives.ReadInt64LittleEndian(span[16..]));
        Assert.Equal(5, BinaryPrimitives.ReadInt64LittleEndian(span[24..]));
        Assert.Equal(XxHash64.HashToUInt64(span[..32]), BinaryPrimitives.ReadUInt64LittleEndian(span[32..]));
        Assert.Equal([-7L, 99], MemoryMarshal.Cast<byte, long>(span.Slice(40, 16)).ToArray());
        Assert.Equal([3.0, 4, 5, 6], MemoryMarshal.Cast<byte, double>(span.Slice(56, 32)).ToArray());
        Assert.Equal(metadata, bytes[88..93]);
        Assert.Equal(XxHash64.HashToUInt64(span[..93]), BinaryPrimitives.ReadUInt64LittleEndian(span[93..]));
        Assert.Equal(101, bytes.Length);
    }

    [Fact]
    public void ArrayDictSnapshot_ReadStream_TwoSnapshotsBackToBack_ReadsEachAndStopsAfterIt()
    {
        var first = ArrayDictAssert.Filled(1, 10);
        var second = ArrayDictAssert.Filled(3, 4);
        using var stream = new MemoryStream();
        ArrayDictSnapshot.Write(first, stream, [9]);
        long boundary = stream.Position;
        ArrayDictSnapshot.Write(second, stream);
        stream.WriteByte(0xEE);
        stream.Position = 0;

        var a = ArrayDictSnapshot.ReadWithMetadata(stream);
        Assert.Equal(boundary, stream.Position);
        var b = ArrayDictSnapshot.Read(stream);

        Assert.True(first.ContentEquals(a.Dict));
        Assert.Equal([9], a.Metadata);
        Assert.True(second.ContentEquals(b));
        Assert.Equal(0xEE, stream.ReadByte());
    }

    [Fact]
    public async Task ArrayDictSnapshot_ReadAsync_TwoSnapshotsOnANonSeekableStream_ReadsEach()
    {
        var first = ArrayDictAssert.Filled(2, 10);
        var second = ArrayDictAssert.Filled(2, 0);
        using var buffer = new MemoryStream();
        await ArrayDictSnapshot.WriteAsync(first, buffer);
        await ArrayDictSnapshot.WriteAsync(second, buffer, new byte[] { 4 });
        var stream = new NonSeekableStream(new MemoryStream(buffer.ToArray()), maxReadSize: 13);

        var a = await ArrayDictSnapshot.ReadWithMetadataAsync(stream);
        var b = await ArrayDictSnapshot.ReadWithMetadataAsync(stream);

        Assert.True(first.ContentEquals(a.Dict));
        Assert.True(second.ContentEquals(b.Dict));
        Assert.Equal([4], b.Metadata);
    }

    [Fact]
    public void ArrayDictSnapshot_Read_Result_IsAFullyWorkingDict()
    {
        var dict = ArrayDictAssert.Filled(1, 100);
        dict.Remove(30);

        var read = ArrayDictSnapshot.Read(ArrayDictSnapshot.ToArray(dict).AsMemory());
        read[30] = 1;
        read.Remove(0);
        read[1_000_000] = 2;

        Assert.Equal(100, read.Count);
        Assert.Equal(1, read[30]);
        Assert.Equal(2, read[1_000_000]);
        Assert.Equal(33, read[99]);
    }

    [Fact]
    public void ArrayDictSnapshot_Write_NullArguments_ThrowArgumentNull()
    {
        var dict = new ArrayDict();

        Assert.Throws<ArgumentNullException>(() => ArrayDictSnapshot.Write(null!, new MemoryStream()));
        Assert.Throws<ArgumentNullException>(() => ArrayDictSnapshot.Write(dict, (Stream)null!));
        Assert.Throws<ArgumentNullException>(() => ArrayDictSnapshot.Write(dict, (IBufferWriter<byte>)null!));
        Assert.Throws<ArgumentNullException>(() => ArrayDictSnapshot.Read((Stream)null!));
        Assert.Throws<ArgumentNullException>(() => ArrayDictSnapshot.Read((BinaryData)null!));
    }
}
