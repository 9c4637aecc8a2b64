using System.Reflection;
using System.Text;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// Turns any failure into the one line the program prints without <c>--verbose</c>. Wrappers that say nothing of their
/// own (<see cref="AggregateException"/>, <see cref="TargetInvocationException"/>) are looked through, and a message that
/// spans several lines (Orleans puts a whole inner exception, stack trace included, into some of its messages) keeps its
/// text and loses its stack frames.
/// </summary>
internal static class ErrorText
{
    /// <summary>The exception whose message says what went wrong: <paramref name="exception"/> unless it only wraps others.</summary>
    public static Exception Meaningful(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        while (true)
        {
            switch (exception)
            {
                case AggregateException { InnerExceptions.Count: > 0 } aggregate:
                    exception = aggregate.InnerExceptions[0];
                    break;
                case TargetInvocationException { InnerException: { } inner }:
                    exception = inner;
                    break;
                default:
                    return exception;
            }
        }
    }

    /// <summary>The message of <see cref="Meaningful"/> on one line; how many other failures an aggregate held, when it held several.</summary>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string text = Flatten(Meaningful(exception).Message);
        int others = exception is AggregateException aggregate ? aggregate.Flatten().InnerExceptions.Count - 1 : 0;
        return others > 0 ? $"{text} (and {others} more failure{(others == 1 ? string.Empty : "s")}; --verbose shows them)" : text;
    }

    /// <summary>
    /// <paramref name="text"/> on one line: its lines joined by spaces, without the stack frames (<c>at ...</c>) and the
    /// <c>--- End of ... ---</c> markers that an exception's <see cref="Exception.ToString"/> puts into some messages.
    /// </summary>
    public static string Flatten(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "(no message)";
        }

        var line = new StringBuilder(text.Length);
        foreach (string part in text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("at ", StringComparison.Ordinal) || part.StartsWith("--- End of ", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(part);
        }

        return line.Length > 0 ? line.ToString() : "(no message)";
    }
}
