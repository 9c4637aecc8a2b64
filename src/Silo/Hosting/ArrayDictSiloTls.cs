using ArrayDictOrleans.Security;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>Mutual TLS on a silo's three kinds of connection (Orleans.Connections.Security), from <see cref="ArrayDictTlsOptions"/>.</summary>
internal static class ArrayDictSiloTls
{
    /// <summary>
    /// Silo-to-silo connections, in and out, always present and require a trusted certificate; the gateway requires
    /// one from clients unless <see cref="ArrayDictTlsOptions.RequireClientCertificate"/> is false.
    /// </summary>
    public static void Use(ISiloBuilder silo, ArrayDictTlsOptions tls, ArrayDictCertificates certificates)
    {
        var members = Options(tls, certificates, RemoteCertificateMode.RequireCertificate);
        var gateway = Options(tls, certificates, tls.RequireClientCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate);
        silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(members));
            connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(members));
            connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(gateway));
        });
    }

    private static TlsOptions Options(ArrayDictTlsOptions tls, ArrayDictCertificates certificates, RemoteCertificateMode remote) => new()
    {
        LocalCertificate = certificates.Local,
        RemoteCertificateMode = remote,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        RemoteCertificateValidation = certificates.IsTrusted,
        HandshakeTimeout = tls.HandshakeTimeout,
    };
}
