using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ArrayDictOrleans.Client.Cli;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// The bench variants whose calls cross a real socket: an embedded silo and a client host in this process connected to
/// its gateway over loopback, in plain TCP (<see cref="Loopback"/>) or mutual TLS (<see cref="LoopbackTls"/>) with
/// certificates made for the run. Side by side in one run, their ratio is what TLS costs a call.
/// </summary>
internal static class BenchNetwork
{
    public const string Loopback = "orleans-loopback";
    public const string LoopbackTls = "orleans-loopback-tls";

    /// <summary>The variants this class runs (not in the default list: name them with <c>--variants</c>).</summary>
    public static readonly string[] Variants = [Loopback, LoopbackTls];

    /// <summary>Runs SW1 through a client connected over loopback, with TLS for <see cref="LoopbackTls"/>.</summary>
    public static async Task<BenchRun> RunAsync(CliOutput output, ConnectionSettings settings, BenchPlan plan, string variant, Func<string, IProgress<IterationProgress>?> progress, CancellationToken cancellationToken)
    {
        using var certificates = variant == LoopbackTls ? new RunCertificates() : null;
        var tls = certificates?.Settings() ?? [];
        var siloSettings = new Dictionary<string, string?>(tls)
        {
            ["ArrayDict:Storage"] = "Memory",
            ["ArrayDict:PersistEvery"] = "0",
            ["ArrayDict:Dashboard:Enabled"] = "false",
        };
        await using var silo = await ClusterConnection.OpenAsync(settings, output.Error, cancellationToken, siloSettings, forceEmbedded: true).ConfigureAwait(false);
        var clientSettings = settings with { Gateways = [$"127.0.0.1:{silo.GatewayPort}"], Clustering = "Localhost", DataDirectory = null, Storage = null, PersistEvery = null };
        await using var client = await ClusterConnection.OpenAsync(clientSettings, output.Error, cancellationToken, tls).ConfigureAwait(false);
        var fill = await Sw1Driver.FillAsync(client.Client, plan.Parameters, firstId: 0, overwrite: true, progress($"{variant}: fill"), cancellationToken).ConfigureAwait(false);
        await JitQuiescence.WaitAsync(cancellationToken).ConfigureAwait(false);
        var allocation = LoopAllocation.Start();
        var loop = await Sw1Driver.LoopAsync(client.Client, plan.Parameters, firstId: 0, fill, progress($"{variant}: iteration {{0}}"), cancellationToken).ConfigureAwait(false);
        var collector = allocation.Stop();
        await Sw1Driver.ClearAsync(client.Client, plan.Parameters, firstId: 0, cancellationToken).ConfigureAwait(false);
        return new BenchRun(fill.Elapsed, loop, 0, collector);
    }

    /// <summary>A CA and one member certificate (used by silo and client alike), in a directory deleted on dispose.</summary>
    private sealed class RunCertificates : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("arraydict-bench-tls-").FullName;

        public RunCertificates()
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest("CN=arraydict bench CA", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(2));
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=arraydict bench", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(12));
            using var member = issued.CopyWithPrivateKey(key);
            File.WriteAllText(CaPath, ca.ExportCertificatePem());
            File.WriteAllBytes(MemberPath, member.Export(X509ContentType.Pkcs12));
        }

        private string CaPath => Path.Combine(_directory, "ca.pem");

        private string MemberPath => Path.Combine(_directory, "member.pfx");

        public Dictionary<string, string?> Settings() => new()
        {
            ["ArrayDict:Tls:Enabled"] = "true",
            ["ArrayDict:Tls:CertificatePath"] = MemberPath,
            ["ArrayDict:Tls:CaCertificatePath"] = CaPath,
            ["ArrayDict:Tls:CertificatePasswordVariable"] = string.Empty,
        };

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
