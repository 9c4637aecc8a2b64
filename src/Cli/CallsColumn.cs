using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>A progress column that shows calls done of calls considered, e.g. <c>512/1,000 calls</c>.</summary>
internal sealed class CallsColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(string.Create(CultureInfo.InvariantCulture, $"{task.Value:N0}/{task.MaxValue:N0} calls"));
}
