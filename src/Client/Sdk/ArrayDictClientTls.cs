using ArrayDictOrleans.Security;
using Microsoft.Extensions.Options;
using Orleans.Connections.Security;

namespace ArrayDictOrleans.Client;

/// <summary>TLS from a client to the gateways (Orleans.Connections.Security), from <see cref="ArrayDictTlsOptions"/>.</summary>
internal static class ArrayDictClientTls
{
    /// <summary>
    /// The client checks each gateway's certificate, and presents its own when one is configured (a silo requires it
    /// unless told otherwise).
    /// </summary>
    /// <exception cref="OptionsValidationException">A certificate cannot be loaded; the message names the setting.</exception>
    public static void Use(IClientBuilder client, ArrayDictTlsOptions tls)
    {
        ArrayDictCertificates certificates;
        try
        {
            certificates = ArrayDictCertificates.Load(tls);
        }
        catch (InvalidOperationException unreadable)
        {
            throw new OptionsValidationException(ArrayDictTlsOptions.SectionName, typeof(ArrayDictTlsOptions), [unreadable.Message]);
        }

        client.UseTls(options =>
        {
            options.LocalCertificate = certificates.Local;
            options.ClientCertificateMode = certificates.Local is null ? RemoteCertificateMode.NoCertificate : RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = certificates.IsTrusted;
            options.HandshakeTimeout = tls.HandshakeTimeout;
        });
    }
}
