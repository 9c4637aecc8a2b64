using System.Reflection;
using ArrayDictOrleans.Client.Cli;
using Microsoft.Extensions.DependencyInjection;

namespace ArrayDictOrleans.Tests.Cli;

/// <summary>Whatever fails, and however its exception is built, the program prints one line without <c>--verbose</c>.</summary>
public sealed class OneLineErrorTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cli_GrainCallFailsWithMultiLineMessage_OneLineUnlessVerbose(bool verbose)
    {
        using var data = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string message = MultiLineMessage("the fill was refused");
        await using var silo = await ClusterConnection.OpenAsync(
            new ConnectionSettings { DataDirectory = data.Path, Storage = "Memory" },
            TextWriter.Null,
            timeout.Token,
            configureSilo: builder => builder.AddIncomingGrainCallFilter(context =>
                context.InterfaceMethod?.Name == nameof(IArrayDictGrain.ApplyAsync) ? throw new InvalidOperationException(message, new IOException("the disk said no")) : context.Invoke()),
            forceEmbedded: true);
        string[] args = ["run", "--gateway", $"127.0.0.1:{silo.GatewayPort}", "--objects", "3", "--rows", "10"];

        var result = await CliRunner.RunAsync(verbose ? [.. args, "--verbose"] : args);

        if (verbose)
        {
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith("arraydict: error: Exception while sending message: ", result.Stderr);
            Assert.Contains("   at ", result.Stderr);
            Assert.Contains("the disk said no", result.Stderr);
        }
        else
        {
            result.AssertFailed(1, "Exception while sending message: System.TimeoutException: the fill was refused");
        }
    }

    [Fact]
    public void ErrorText_OneLine_MultiLineMessage_KeepsTextDropsStackFrames()
    {
        string text = ErrorText.OneLine(new InvalidOperationException(MultiLineMessage("gateway gone")));

        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain(" at ", text);
        Assert.DoesNotContain("End of", text);
        Assert.StartsWith("Exception while sending message: System.TimeoutException: gateway gone ---> System.IO.IOException: socket closed", text);
    }

    [Fact]
    public void ErrorText_OneLine_AggregateOfSeveral_FirstMeaningfulMessageAndCount()
    {
        var aggregate = new AggregateException(
            new AggregateException(new TargetInvocationException(new KeyNotFoundException(MultiLineMessage("key 5")))),
            new InvalidOperationException("second"),
            new InvalidOperationException("third"));

        string text = ErrorText.OneLine(aggregate);

        Assert.StartsWith("Exception while sending message: System.TimeoutException: key 5", text);
        Assert.EndsWith("(and 2 more failures; --verbose shows them)", text);
        Assert.DoesNotContain('\n', text);
        Assert.IsType<KeyNotFoundException>(ErrorText.Meaningful(aggregate));
    }

    [Theory]
    [InlineData("", "(no message)")]
    [InlineData("   at Foo.Bar()\n   at Baz()", "(no message)")]
    [InlineData("first\r\n\r\n  second  \n", "first second")]
    public void ErrorText_Flatten_OneLine(string text, string expected) => Assert.Equal(expected, ErrorText.Flatten(text));

    [Fact]
    public void ArrayDictCli_Report_UnhandledAggregate_OneLineAndFailureCode()
    {
        var stderr = new StringWriter();

        int code = ArrayDictCli.Report(new AggregateException(new InvalidOperationException(MultiLineMessage("on a host thread"))), stderr, verbose: false);

        Assert.Equal(ExitCodes.Failure, code);
        string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("arraydict: error: Exception while sending message: System.TimeoutException: on a host thread", line);
    }

    [Fact]
    public void ArrayDictCli_Report_CliExceptionInAggregate_KeepsItsExitCode()
    {
        var stderr = new StringWriter();

        int code = ArrayDictCli.Report(new AggregateException(CliException.Usage("bad flag")), stderr, verbose: false);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("arraydict: error: bad flag", stderr.ToString().Trim());
    }

    [Fact]
    public void CliFatalErrorHandler_OnFatalException_OneLineThenExitsOne()
    {
        var stderr = new StringWriter();
        int? exitCode = null;
        var handler = new CliFatalErrorHandler(stderr, verbose: false, code => exitCode = code);

        handler.OnFatalException(this, "Membership: this silo was declared dead", new InvalidOperationException(MultiLineMessage("probes failed")));

        Assert.Equal(ExitCodes.Failure, exitCode);
        string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(
            "arraydict: error: The embedded silo stopped on a fatal error (Membership: this silo was declared dead): Exception while sending message: System.TimeoutException: probes failed",
            line);
    }

    [Fact]
    public async Task ClusterConnection_EmbeddedSilo_FatalErrorsGoToTheProgramsHandler()
    {
        using var data = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var silo = await ClusterConnection.OpenAsync(
            new ConnectionSettings { DataDirectory = data.Path, Storage = "Memory" }, TextWriter.Null, timeout.Token, forceEmbedded: true);

        Assert.IsType<CliFatalErrorHandler>(silo.Services.GetRequiredService<IFatalErrorHandler>());
    }

    /// <summary>A message built as Orleans builds its rejections: a reason, then a whole exception with its inner one and their stack traces.</summary>
    private static string MultiLineMessage(string what)
    {
        try
        {
            try
            {
                throw new IOException("socket closed");
            }
            catch (IOException inner)
            {
                throw new TimeoutException(what, inner);
            }
        }
        catch (TimeoutException exception)
        {
            Assert.Contains("   at ", exception.ToString());
            return $"Exception while sending message: {exception}";
        }
    }
}
