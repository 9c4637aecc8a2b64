using System.Globalization;
using ArrayDictOrleans.Client;
using ArrayDictOrleans.Tests.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Tests.Security;

/// <summary>Mutual TLS through the product's hosts (AddArrayDictSilo, AddArrayDictClient), with certificates made in the test.</summary>
public sealed class MutualTlsTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan JoinRefusalTimeout = TimeSpan.FromSeconds(15);
    private readonly TestCertificates _certificates = new();
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "arraydict-tls-data-" + Guid.NewGuid().ToString("N"));
    private readonly string _clusterId = "tls-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        _certificates.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task MutualTls_ClientWithTrustedCertificate_CallsGrains()
    {
        var ports = FreePorts.Take(2);
        using var timeout = new CancellationTokenSource(StartTimeout);
        using var silo = BuildSilo(ports[0], ports[1], ports[0], _certificates.Member("silo-1"));
        await silo.StartAsync(timeout.Token);
        try
        {
            using var client = BuildClient(ports[1], Tls(_certificates.Member("client"), passwordFromFile: false));
            await client.StartAsync(timeout.Token);
            var grain = client.Services.GetRequiredService<ArrayDictClient>().Get(42);
            await grain.SetValueAsync(1, 2.5);

            Assert.Equal(2.5, await grain.GetValueAsync(1));
            await client.StopAsync(timeout.Token);
        }
        finally
        {
            await silo.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task MutualTls_ClientWithoutCertificateOrWithUntrustedOne_Refused()
    {
        var ports = FreePorts.Take(2);
        using var timeout = new CancellationTokenSource(StartTimeout + (4 * RefusalTimeout));
        using var silo = BuildSilo(ports[0], ports[1], ports[0], _certificates.Member("silo-1"));
        await silo.StartAsync(timeout.Token);
        try
        {
            var withoutCertificate = new Dictionary<string, string?> { ["ArrayDict:Tls:Enabled"] = "true", ["ArrayDict:Tls:CaCertificatePath"] = _certificates.CaPath };
            await AssertClientRefusedAsync(ports[1], withoutCertificate);
            await AssertClientRefusedAsync(ports[1], Tls(_certificates.Stranger("stranger-client"), passwordFromFile: true));

            // A client without TLS at all speaks plain Orleans to a TLS port: refused as well.
            await AssertClientRefusedAsync(ports[1], []);

            // The same silo serves a trusted client: the refusals were the certificates'.
            using var trusted = BuildClient(ports[1], Tls(_certificates.Member("client"), passwordFromFile: true));
            await trusted.StartAsync(timeout.Token);
            await trusted.Services.GetRequiredService<ArrayDictClient>().Get(42).SetValueAsync(1, 1);
            await trusted.StopAsync(timeout.Token);
        }
        finally
        {
            await silo.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task MutualTls_SiloWithoutTrustedCertificate_CannotJoin()
    {
        var ports = FreePorts.Take(6);
        using var timeout = new CancellationTokenSource(StartTimeout + JoinRefusalTimeout);
        using var primary = BuildSilo(ports[0], ports[1], ports[0], _certificates.Member("silo-1"));
        await primary.StartAsync(timeout.Token);
        try
        {
            // A stranger that trusts the cluster's CA but holds a certificate the cluster does not trust.
            using (var stranger = BuildSilo(ports[2], ports[3], ports[0], _certificates.Stranger("stranger-silo")))
            {
                using var joining = new CancellationTokenSource(JoinRefusalTimeout);
                // Its handshakes with the primary fail, so its start never completes: it keeps trying until cancelled. That it
                // is not a member is checked below, in the membership the cluster reports.
                await Assert.ThrowsAnyAsync<Exception>(() => stranger.StartAsync(joining.Token));
            }

            using var member = BuildSilo(ports[4], ports[5], ports[0], _certificates.Member("silo-2"));
            await member.StartAsync(timeout.Token);
            try
            {
                using var client = BuildClient(ports[1], Tls(_certificates.Member("client"), passwordFromFile: true));
                await client.StartAsync(timeout.Token);
                var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
                var active = await management.GetHosts(onlyActive: true);

                Assert.Equal(2, active.Count);
                Assert.DoesNotContain(active.Keys, silo => silo.Endpoint.Port == ports[2]);
                await client.StopAsync(timeout.Token);
            }
            finally
            {
                await member.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            await primary.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void AddArrayDictSilo_NonLoopbackAddressWithoutTls_RefusedNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ArrayDict:AdvertisedIPAddress"] = "192.0.2.10" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddArrayDictSilo());

        Assert.Contains("ArrayDict:Tls:Enabled is false", error.Message, StringComparison.Ordinal);
        Assert.Contains("ArrayDict:AllowInsecureNetwork", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddArrayDictSilo_NonLoopbackAddressWithAllowInsecureNetworkOrTls_Accepted()
    {
        foreach (var settings in new[]
        {
            new Dictionary<string, string?> { ["ArrayDict:AdvertisedIPAddress"] = "192.0.2.10", ["ArrayDict:AllowInsecureNetwork"] = "true" },
            new Dictionary<string, string?>(Tls(_certificates.Member("silo"), passwordFromFile: true)) { ["ArrayDict:AdvertisedIPAddress"] = "192.0.2.10" },
        })
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(settings);

            builder.AddArrayDictSilo();

            Assert.Contains(builder.Services, service => service.ServiceType == typeof(IOptions<ArrayDictOrleans.Silo.Hosting.ArrayDictSiloOptions>));
        }
    }

    [Fact]
    public void AddArrayDictSilo_WrongCertificatePassword_RefusedNamingTheFileNotThePassword()
    {
        string wrong = Path.Combine(_certificates.DirectoryPath, "wrong-password.txt");
        File.WriteAllText(wrong, "not-the-password-4711");
        var settings = Tls(_certificates.Member("silo"), passwordFromFile: true);
        settings["ArrayDict:Tls:CertificatePasswordFile"] = wrong;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddArrayDictSilo());

        Assert.Contains("ArrayDict:Tls:CertificatePath", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-4711", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SiloProgram_NonLoopbackAddressWithoutTls_ExitsTwoNamingTheSetting()
    {
        await using var silo = SiloProgramProcess.Start(["--address", "192.0.2.10", "--data-dir", _dataDirectory]);

        var (exitCode, output) = await silo.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("ArrayDict:Tls:Enabled is false", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A refused client gets no call through: its start or its first call fails, or (under TLS 1.3 the server checks the
    /// client's certificate after the client thinks the handshake is done, then drops the connection) neither completes
    /// within <see cref="RefusalTimeout"/>.
    /// </summary>
    private async Task AssertClientRefusedAsync(int gatewayPort, Dictionary<string, string?> tls)
    {
        using var client = BuildClient(gatewayPort, tls);
        using var refusal = new CancellationTokenSource(RefusalTimeout);
        double? served = null;
        var error = await Record.ExceptionAsync(async () =>
        {
            await client.StartAsync(refusal.Token);
            served = await client.Services.GetRequiredService<ArrayDictClient>().Get(42).GetValueAsync(1).WaitAsync(refusal.Token);
        });

        Assert.Null(served);
        Assert.NotNull(error);
        await client.StopAsync(CancellationToken.None);
    }

    private Dictionary<string, string?> Tls(string certificatePath, bool passwordFromFile)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ArrayDict:Tls:Enabled"] = "true",
            ["ArrayDict:Tls:CertificatePath"] = certificatePath,
            ["ArrayDict:Tls:CaCertificatePath"] = _certificates.CaPath,
        };
        if (passwordFromFile)
        {
            settings["ArrayDict:Tls:CertificatePasswordFile"] = _certificates.PasswordFile;
        }
        else
        {
            // A variable of this test's own, so that tests running side by side do not share it.
            string variable = "ARRAYDICT_TEST_TLS_PASSWORD_" + Guid.NewGuid().ToString("N");
            Environment.SetEnvironmentVariable(variable, TestCertificates.Password);
            settings["ArrayDict:Tls:CertificatePasswordVariable"] = variable;
        }

        return settings;
    }

    private IHost BuildSilo(int siloPort, int gatewayPort, int primarySiloPort, string certificatePath)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var settings = Tls(certificatePath, passwordFromFile: true);
        settings["ArrayDict:ClusterId"] = _clusterId;
        settings["ArrayDict:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
        settings["ArrayDict:PrimarySiloPort"] = primarySiloPort.ToString(CultureInfo.InvariantCulture);
        settings["ArrayDict:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        settings["ArrayDict:Storage"] = "Memory";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddArrayDictSilo();
        return builder.Build();
    }

    private IHost BuildClient(int gatewayPort, Dictionary<string, string?> tls)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(tls)
        {
            ["ArrayDict:ClusterId"] = _clusterId,
            ["ArrayDict:Gateways:0"] = $"127.0.0.1:{gatewayPort}",
        });
        builder.AddArrayDictClient();
        return builder.Build();
    }
}
