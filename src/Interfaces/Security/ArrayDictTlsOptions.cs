using System.Security.Cryptography.X509Certificates;

namespace ArrayDictOrleans.Security;

/// <summary>
/// Mutual TLS between silos and between clients and silos, bound from <c>ArrayDict:Tls</c> by silos, the SDK and the
/// <c>arraydict</c> program alike (docs/security.md). The node's own certificate comes from a PKCS#12 file (its password
/// from an environment variable or a file, never from a setting), a PEM certificate and key, or the certificate store by
/// thumbprint. Peers are trusted when their certificate chains to <see cref="CaCertificatePath"/> (the cluster's own CA),
/// or, without it, to a root the machine trusts.
/// </summary>
public sealed class ArrayDictTlsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ArrayDict:Tls";

    /// <summary>The environment variable read for the certificate file's password by default.</summary>
    public const string DefaultPasswordVariable = "ARRAYDICT_TLS_CERTIFICATE_PASSWORD";

    /// <summary>Whether connections use TLS. Default false (loopback only: a silo refuses other addresses without it).</summary>
    public bool Enabled { get; set; }

    /// <summary>This node's certificate with its private key: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) or, with <see cref="CertificateKeyPath"/>, a PEM certificate.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>A file whose content (trailing newline dropped) is the password of <see cref="CertificatePath"/>.</summary>
    public string? CertificatePasswordFile { get; set; }

    /// <summary>The environment variable holding the password of <see cref="CertificatePath"/> when no <see cref="CertificatePasswordFile"/> is given. Default <c>ARRAYDICT_TLS_CERTIFICATE_PASSWORD</c>.</summary>
    public string CertificatePasswordVariable { get; set; } = DefaultPasswordVariable;

    /// <summary>This node's certificate from the certificate store, by thumbprint, instead of a file.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>The store location searched for <see cref="CertificateThumbprint"/>. Default <see cref="StoreLocation.CurrentUser"/>.</summary>
    public StoreLocation StoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>The store searched for <see cref="CertificateThumbprint"/>. Default <see cref="StoreName.My"/>.</summary>
    public StoreName StoreName { get; set; } = StoreName.My;

    /// <summary>The certificate authorities (PEM or DER) whose certificates peers must chain to; without it, the machine's trusted roots.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Whether a silo's gateway refuses clients without a trusted certificate. Default true. Silos always present and require certificates among themselves.</summary>
    public bool RequireClientCertificate { get; set; } = true;

    /// <summary>How long a TLS handshake may take. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether a certificate of this node is configured (by file or thumbprint).</summary>
    public bool HasCertificate => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(CertificateThumbprint);

    /// <summary>The failures of these settings, each naming its setting; empty when they are valid. <paramref name="needsCertificate"/>: a silo must have one.</summary>
    public IReadOnlyList<string> Problems(bool needsCertificate)
    {
        var problems = new List<string>();
        if (!Enabled)
        {
            return problems;
        }

        bool byFile = !string.IsNullOrWhiteSpace(CertificatePath);
        bool byStore = !string.IsNullOrWhiteSpace(CertificateThumbprint);
        if (byFile && byStore)
        {
            problems.Add($"{SectionName}:CertificatePath and {SectionName}:CertificateThumbprint are both set; give one.");
        }

        if (needsCertificate && !byFile && !byStore)
        {
            problems.Add($"{SectionName}:Enabled is true but no certificate is given: set {SectionName}:CertificatePath (a .pfx, or a PEM with {SectionName}:CertificateKeyPath) or {SectionName}:CertificateThumbprint.");
        }

        CheckFile(problems, nameof(CertificatePath), CertificatePath);
        CheckFile(problems, nameof(CertificateKeyPath), CertificateKeyPath);
        CheckFile(problems, nameof(CertificatePasswordFile), CertificatePasswordFile);
        CheckFile(problems, nameof(CaCertificatePath), CaCertificatePath);
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:HandshakeTimeout is {HandshakeTimeout}; it must be positive.");
        }

        return problems;
    }

    private static void CheckFile(List<string> problems, string setting, string? path)
    {
        if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
        {
            problems.Add($"{SectionName}:{setting} is '{path}', which does not exist.");
        }
    }
}
