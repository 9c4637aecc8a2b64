using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ArrayDictOrleans.Security;

/// <summary>Loads the certificates <see cref="ArrayDictTlsOptions"/> names and decides whether a peer's certificate is trusted.</summary>
public sealed class ArrayDictCertificates
{
    private readonly X509Certificate2Collection? _authorities;

    private ArrayDictCertificates(X509Certificate2? local, X509Certificate2Collection? authorities)
    {
        Local = local;
        _authorities = authorities;
    }

    /// <summary>This node's certificate with its private key, or null when none is configured.</summary>
    public X509Certificate2? Local { get; }

    /// <summary>Loads the certificates of <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOperationException">A certificate cannot be loaded; the message names the setting and the reason (never the password).</exception>
    public static ArrayDictCertificates Load(ArrayDictTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var local = LoadLocal(options);
        X509Certificate2Collection? authorities = null;
        if (!string.IsNullOrWhiteSpace(options.CaCertificatePath))
        {
            authorities = [];
            try
            {
                string text = File.ReadAllText(options.CaCertificatePath);
                if (text.Contains("-----BEGIN", StringComparison.Ordinal))
                {
                    authorities.ImportFromPem(text);
                }
                else
                {
                    authorities.Add(X509CertificateLoader.LoadCertificateFromFile(options.CaCertificatePath));
                }
            }
            catch (Exception exception) when (exception is CryptographicException or IOException)
            {
                throw new InvalidOperationException($"{ArrayDictTlsOptions.SectionName}:CaCertificatePath '{options.CaCertificatePath}' cannot be read as certificates: {exception.Message}", exception);
            }

            if (authorities.Count == 0)
            {
                throw new InvalidOperationException($"{ArrayDictTlsOptions.SectionName}:CaCertificatePath '{options.CaCertificatePath}' holds no certificate.");
            }
        }

        return new ArrayDictCertificates(local, authorities);
    }

    /// <summary>
    /// Whether <paramref name="certificate"/>, presented by a peer, is trusted: it chains to one of the configured
    /// authorities (the peer's name is not checked: the cluster's CA is what identifies its members), or without them
    /// the platform found no error but a name mismatch.
    /// </summary>
    public bool IsTrusted(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (_authorities is null)
        {
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(certificate);
    }

    private static X509Certificate2? LoadLocal(ArrayDictTlsOptions options)
    {
        const string Section = ArrayDictTlsOptions.SectionName;
        if (!string.IsNullOrWhiteSpace(options.CertificateThumbprint))
        {
            using var store = new X509Store(options.StoreName, options.StoreLocation);
            store.Open(OpenFlags.ReadOnly);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, options.CertificateThumbprint.Replace(" ", string.Empty, StringComparison.Ordinal), validOnly: false);
            var certificate = found.FirstOrDefault(c => c.HasPrivateKey)
                ?? throw new InvalidOperationException($"{Section}:CertificateThumbprint {options.CertificateThumbprint} names no certificate with a private key in the {options.StoreLocation}/{options.StoreName} store.");
            return certificate;
        }

        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            return null;
        }

        try
        {
            var certificate = !string.IsNullOrWhiteSpace(options.CertificateKeyPath)
                ? X509Certificate2.CreateFromPemFile(options.CertificatePath, options.CertificateKeyPath)
                : X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, Password(options));
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"{Section}:CertificatePath '{options.CertificatePath}' holds a certificate without its private key; a node needs both.");
            }

            return certificate;
        }
        catch (CryptographicException exception)
        {
            // The reason (a wrong password, a damaged file) without the password itself.
            throw new InvalidOperationException($"{Section}:CertificatePath '{options.CertificatePath}' cannot be loaded: {exception.Message}", exception);
        }
    }

    private static string? Password(ArrayDictTlsOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CertificatePasswordFile))
        {
            return File.ReadAllText(options.CertificatePasswordFile).TrimEnd('\r', '\n');
        }

        return string.IsNullOrWhiteSpace(options.CertificatePasswordVariable) ? null : Environment.GetEnvironmentVariable(options.CertificatePasswordVariable);
    }
}
