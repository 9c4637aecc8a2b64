using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ArrayDictOrleans.Tests.Security;

/// <summary>
/// Certificates made for one test with <see cref="CertificateRequest"/>: a cluster CA and members it signs, and a
/// stranger CA whose members the cluster must refuse. Files go to a temporary directory deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string Password = "test-only-password";

    private readonly X509Certificate2 _clusterCa;
    private readonly X509Certificate2 _strangerCa;

    public TestCertificates()
    {
        Directory.CreateDirectory(DirectoryPath);
        _clusterCa = CreateAuthority("CN=ArrayDict test cluster CA");
        _strangerCa = CreateAuthority("CN=ArrayDict test stranger CA");
        CaPath = Path.Combine(DirectoryPath, "cluster-ca.pem");
        File.WriteAllText(CaPath, _clusterCa.ExportCertificatePem());
        StrangerCaPath = Path.Combine(DirectoryPath, "stranger-ca.pem");
        File.WriteAllText(StrangerCaPath, _strangerCa.ExportCertificatePem());
        PasswordFile = Path.Combine(DirectoryPath, "password.txt");
        File.WriteAllText(PasswordFile, Password + "\n");
    }

    public string DirectoryPath { get; } = Path.Combine(Path.GetTempPath(), "arraydict-tls-" + Guid.NewGuid().ToString("N"));

    /// <summary>The cluster CA, PEM.</summary>
    public string CaPath { get; }

    /// <summary>The stranger CA, PEM.</summary>
    public string StrangerCaPath { get; }

    /// <summary>A file holding <see cref="Password"/>.</summary>
    public string PasswordFile { get; }

    /// <summary>A member certificate signed by the cluster CA, as a password-protected .pfx.</summary>
    public string Member(string name) => Issue(_clusterCa, name);

    /// <summary>A certificate signed by the stranger CA, as a password-protected .pfx.</summary>
    public string Stranger(string name) => Issue(_strangerCa, name);

    public void Dispose()
    {
        _clusterCa.Dispose();
        _strangerCa.Dispose();
        if (Directory.Exists(DirectoryPath))
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
    }

    private static X509Certificate2 CreateAuthority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(2));
    }

    private string Issue(X509Certificate2 authority, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        string path = Path.Combine(DirectoryPath, name + ".pfx");
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pkcs12, Password));
        return path;
    }
}
