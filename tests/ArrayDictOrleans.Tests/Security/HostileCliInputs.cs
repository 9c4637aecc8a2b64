namespace ArrayDictOrleans.Tests.Security;

/// <summary>
/// Hostile values for every command of the <c>arraydict</c> program: its arguments (<c>{dir}</c> stands for a directory
/// with the files <see cref="HostileFiles"/> makes), the exit code it must end with and a piece of its one-line error.
/// Every command runs against a data directory holding ArrayDict 1 (width 2, keys 7 and 8).
/// </summary>
internal static class HostileCliInputs
{
    public static IReadOnlyDictionary<string, (string[] Args, int ExitCode, string Mentions)> Cases { get; } = new Dictionary<string, (string[], int, string)>
    {
        ["info: id beyond long"] = (["info", "99999999999999999999"], 2, "Cannot parse argument '99999999999999999999'"),
        ["info: id not a number"] = (["info", "x"], 2, "'x'"),
        ["get: missing key"] = (["get", "1", "-7"], 1, "The key -7 is not present"),
        ["get: key beyond long"] = (["get", "1", "99999999999999999999"], 2, "Cannot parse argument"),
        ["set: no values"] = (["set", "1", "7"], 2, "Required argument missing"),
        ["set: a decimal comma"] = (["set", "1", "7", "1,5", "2"], 2, "'1,5' is not a number"),
        ["set: a value beyond double"] = (["set", "1", "7", "1e999", "2"], 2, "'1e999' is beyond the range of a double"),
        ["set: an empty value"] = (["set", "1", "7", "", "2"], 2, "'' is not a number"),
        ["set: 3 values for width 2"] = (["set", "1", "7", "1", "2", "3"], 1, "has 3"),
        ["set: 1 value for width 2"] = (["set", "1", "9", "1"], 1, "has 1"),
        ["remove: key not a number"] = (["remove", "1", "abc"], 2, "Cannot parse argument 'abc'"),
        ["clear: width 0"] = (["clear", "1", "--width", "0"], 2, "--width is 0"),
        ["clear: width -3"] = (["clear", "1", "--width", "-3"], 2, "--width is -3"),
        ["clear: width 2,147,483,591"] = (["clear", "1", "--width", "2147483591"], 1, "MaxWidth"),
        ["clear: width beyond int"] = (["clear", "1", "--width", "99999999999"], 2, "99999999999"),
        ["export: page rows -1"] = (["export", "1", "--out", "{dir}/out.npz", "--page-rows", "-1"], 2, "--page-rows is -1"),
        ["export: page rows int.MaxValue"] = (["export", "1", "--out", "{dir}/out.npz", "--page-rows", "2147483647"], 2, "--page-rows is 2147483647"),
        ["export: unknown format"] = (["export", "1", "--out", "{dir}/out.txt"], 2, "names no known format"),
        ["export: missing directory"] = (["export", "1", "--out", "{dir}/no/such/out.npz"], 1, "does not exist"),
        ["import: missing file"] = (["import", "1", "--in", "{dir}/absent.npz"], 1, "does not exist"),
        ["import: a directory"] = (["import", "1", "--in", "{dir}"], 2, "names no known format"),
        ["import: a text file named .npz"] = (["import", "1", "--in", "{dir}/text.npz"], 1, "is not a numpy .npz file"),
        ["import: random bytes named .adsnap"] = (["import", "1", "--in", "{dir}/random.adsnap"], 1, "is not an ArrayDict snapshot"),
        ["import: an empty .adsnap"] = (["import", "1", "--in", "{dir}/empty.adsnap"], 1, "it has 0 bytes"),
        ["import: a truncated .adsnap"] = (["import", "1", "--in", "{dir}/truncated.adsnap"], 1, "truncated"),
        ["import: an .adsnap with a flipped byte"] = (["import", "1", "--in", "{dir}/flipped.adsnap"], 1, "corrupted"),
        ["import: an .adsnap claiming 500 million rows"] = (["import", "1", "--in", "{dir}/huge-claim.adsnap"], 1, "truncated"),
        ["import: an .npz declaring 2 billion rows"] = (["import", "1", "--in", "{dir}/huge-shape.npz"], 1, "keys.npy"),
        ["import: an .npz of mismatched shapes"] = (["import", "1", "--in", "{dir}/mismatched.npz"], 1, "must be (3, W)"),
        ["import: an .npz of rows wider than MaxWidth"] = (["import", "1", "--in", "{dir}/too-wide.npz"], 1, "MaxWidth"),
        ["import: an .npz with a key twice"] = (["import", "1", "--in", "{dir}/duplicate.npz"], 1, "twice"),
        ["run: -1 objects"] = (["run", "--objects", "-1"], 2, "--objects is -1"),
        ["run: int.MaxValue rows"] = (["run", "--rows", "2147483647", "--objects", "1"], 2, "--rows is 2147483647"),
        ["run: rows wider than MaxWidth"] = (["run", "--objects", "1", "--rows", "1", "--width", "100000", "--first-id", "50"], 1, "MaxWidth"),
        ["run: call timeout 0"] = (["run", "--objects", "1", "--call-timeout", "0"], 2, "--call-timeout is 0"),
        ["run: call timeout over a day"] = (["run", "--objects", "1", "--call-timeout", "1e9"], 2, "--call-timeout is 1000000000"),
        ["bench: unknown variant"] = (["bench", "--variants", "fast"], 2, "--variants has 'fast'"),
        ["unknown command"] = (["frobnicate"], 2, "frobnicate"),
    };

    public static TheoryData<string> Names => new(Cases.Keys);
}
