using System.IO.Hashing;
using System.Text;
using Orleans.Serialization;

namespace ArrayDictOrleans.Grains;

/// <summary>
/// The result the last epoch returned, kept with the state to answer a retry of the same call: the result in Orleans'
/// binary format, with fingerprints of the call's method and of its result type. The bytes are read only when a retry
/// asks for them, so a result that can no longer be read never stops its ArrayDict from loading.
/// </summary>
/// <param name="Bytes">The result, serialized as its call's result type (or, when <see cref="ResultTypeFingerprint"/> is <see cref="Unknown"/>, as an object).</param>
/// <param name="MethodFingerprint">XxHash64 of the method's Orleans binary form (its type and arguments), or <see cref="Unknown"/>.</param>
/// <param name="ResultTypeFingerprint">XxHash64 of the name of the call's result type, or <see cref="Unknown"/>.</param>
[GenerateSerializer, Immutable, Alias("arraydict.KeptResult")]
public sealed record KeptResult(
    [property: Id(0)] byte[] Bytes,
    [property: Id(1)] ulong MethodFingerprint,
    [property: Id(2)] ulong ResultTypeFingerprint)
{
    /// <summary>A fingerprint that was not recorded: a result kept by an earlier version, as an object, with no method.</summary>
    public const ulong Unknown = 0;

    /// <summary>The fingerprint of <paramref name="method"/>: a hash of its Orleans binary form, type included.</summary>
    internal static ulong MethodFingerprintOf(Serializer serializer, object method) => NotUnknown(XxHash64.HashToUInt64(serializer.SerializeToArray(method)));

    /// <summary>Keeps <paramref name="result"/> of a call of the method whose fingerprint is <paramref name="methodFingerprint"/>.</summary>
    internal static KeptResult Of<TResult>(Serializer serializer, TResult result, ulong methodFingerprint) =>
        new(serializer.SerializeToArray(result), methodFingerprint, ResultType<TResult>.Fingerprint);

    /// <summary>Keeps a result that an earlier version stored as an object, without fingerprints.</summary>
    internal static KeptResult FromLegacy(Serializer serializer, object result) => new(serializer.SerializeToArray(result), Unknown, Unknown);

    /// <summary>Whether this is the result of a call of the method whose fingerprint is <paramref name="methodFingerprint"/>, returning <typeparamref name="TResult"/>.</summary>
    internal bool IsFrom<TResult>(ulong methodFingerprint) =>
        ResultTypeFingerprint == Unknown || (MethodFingerprint == methodFingerprint && ResultTypeFingerprint == ResultType<TResult>.Fingerprint);

    /// <summary>Reads the result back.</summary>
    /// <exception cref="InvalidCastException">A result kept by an earlier version is not a <typeparamref name="TResult"/>.</exception>
    internal TResult Read<TResult>(Serializer serializer) => ResultTypeFingerprint != Unknown
        ? serializer.Deserialize<TResult>(Bytes)!
        : serializer.Deserialize<object>(Bytes) is TResult result
            ? result
            : throw new InvalidCastException($"The result kept by an earlier version is not a {typeof(TResult)}.");

    /// <inheritdoc />
    public bool Equals(KeptResult? other) =>
        other is not null && MethodFingerprint == other.MethodFingerprint && ResultTypeFingerprint == other.ResultTypeFingerprint && Bytes.AsSpan().SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MethodFingerprint, ResultTypeFingerprint, Bytes.Length);

    private static ulong NotUnknown(ulong fingerprint) => fingerprint == Unknown ? 1 : fingerprint;

    private static class ResultType<TResult>
    {
        public static readonly ulong Fingerprint = NotUnknown(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(typeof(TResult).ToString())));
    }
}
