namespace ArrayDictOrleans.Client;

/// <summary>
/// A call carried an <see cref="IArrayDictMethod{TResult}"/> whose type could not cross to the silo: the silo does not
/// load the assembly that defines it (or an older version of it), or the type is not serializable. Nothing ran.
/// The inner exception is Orleans' serializer error.
/// </summary>
public sealed class ArrayDictMethodNotDeployedException : Exception
{
    /// <summary>Creates the exception for a call on ArrayDict <paramref name="id"/> with a method of <paramref name="methodType"/>.</summary>
    /// <param name="id">The ArrayDict called.</param>
    /// <param name="methodType">The method's type.</param>
    /// <param name="serializerError">Orleans' serializer error.</param>
    public ArrayDictMethodNotDeployedException(long id, Type methodType, Exception serializerError)
        : base(Describe(id, methodType, serializerError), serializerError)
    {
        ArgumentNullException.ThrowIfNull(methodType);
        Id = id;
        MethodType = methodType;
    }

    /// <summary>The ArrayDict called.</summary>
    public long Id { get; }

    /// <summary>The method's type.</summary>
    public Type MethodType { get; }

    private static string Describe(long id, Type methodType, Exception serializerError)
    {
        string assembly = methodType.Assembly.GetName().Name ?? methodType.Assembly.FullName ?? "its assembly";
        string reason = string.Join(' ', serializerError.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return $"The method {methodType.FullName} (assembly {assembly}) could not be read by the silo of ArrayDict {id}, so nothing ran: "
            + $"the silos must load {assembly}.dll, with the type marked [GenerateSerializer]. Give the stock silo "
            + $"--method-assembly /path/to/{assembly}.dll (setting ArrayDict:MethodAssemblies) and restart it, or reference "
            + $"{assembly} from your own silo host (AddArrayDictSilo); see docs/your-own-method.md. Orleans said: {reason}";
    }
}
