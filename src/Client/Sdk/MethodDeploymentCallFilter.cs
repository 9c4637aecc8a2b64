using Orleans.Serialization;
using Orleans.Serialization.Invocation;

namespace ArrayDictOrleans.Client;

/// <summary>
/// Turns the serializer error of a call whose <see cref="IArrayDictMethod{TResult}"/> the silo could not read (Orleans
/// answers with a codec exception that names only the method's interface) into
/// <see cref="ArrayDictMethodNotDeployedException"/>, which names the method's type and how to deploy it.
/// </summary>
internal sealed class MethodDeploymentCallFilter : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        try
        {
            await context.Invoke().ConfigureAwait(false);
        }
        catch (SerializerException error) when (FindMethod(context.Request) is { } method)
        {
            throw new ArrayDictMethodNotDeployedException(context.TargetId.GetIntegerKey(), method.GetType(), error);
        }
    }

    private static object? FindMethod(IInvokable request)
    {
        for (int i = 0; i < request.GetArgumentCount(); i++)
        {
            if (request.GetArgument(i) is { } argument && IsArrayDictMethod(argument.GetType()))
            {
                return argument;
            }
        }

        return null;
    }

    private static bool IsArrayDictMethod(Type type) =>
        type.GetInterfaces().Any(contract => contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IArrayDictMethod<>));
}
