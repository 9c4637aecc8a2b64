using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;

namespace ArrayDictOrleans.Tests.Migration;

/// <summary>The ETag a grain carries between a read that found the other mode's form and its first write.</summary>
public sealed class ModeMigrationETagTests
{
    public static TheoryData<bool, long?, string?> Forms => new()
    {
        { true, 0x1a2b, "0123456789abcdef0123456789abcdef" },
        { true, 0x1a2b, null },
        { false, null, "\"0x8DC5A1B2C3D4E5F\"" },
        { false, 0x7f, "\"0x8DC5A1B2C3D4E5F\"" },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void ModeMigrationETag_ToStringThenTryParse_RoundTrips(bool journalIsCurrent, long? generation, string? full)
    {
        var etag = new ModeMigrationETag(journalIsCurrent, generation is { } g ? new JournalPosition(g, 0x40) : null, full);

        var text = etag.ToString();

        Assert.True(ModeMigrationETag.IsOne(text));
        Assert.True(ModeMigrationETag.TryParse(text, out var parsed), text);
        Assert.Equal(etag, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1a2b:40")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("\"0x8DC5A1B2C3D4E5F\"")]
    public void ModeMigrationETag_IsOne_PlainETagsOfEitherMode_False(string? etag) =>
        Assert.False(ModeMigrationETag.IsOne(etag));

    [Theory]
    [InlineData("~journal||abc")]
    [InlineData("~full|1a2b:40|")]
    [InlineData("~other|1a2b:40|abc")]
    [InlineData("~journal|1a2b|abc")]
    [InlineData("~journal|1a2b:40")]
    public void ModeMigrationETag_TryParse_Malformed_False(string etag) =>
        Assert.False(ModeMigrationETag.TryParse(etag, out _));
}
