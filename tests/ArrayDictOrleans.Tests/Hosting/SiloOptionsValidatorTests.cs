using ArrayDictOrleans.Client;
using ArrayDictOrleans.Silo.Hosting;

namespace ArrayDictOrleans.Tests.Hosting;

public sealed class SiloOptionsValidatorTests
{
    private static readonly ArrayDictSiloOptionsValidator SiloValidator = new();
    private static readonly ArrayDictClientOptionsValidator ClientValidator = new();

    [Fact]
    public void ArrayDictSiloOptionsValidator_Defaults_Succeed()
    {
        Assert.True(SiloValidator.Validate(null, new ArrayDictSiloOptions()).Succeeded);
    }

    public static TheoryData<Action<ArrayDictSiloOptions>, string> InvalidSiloSettings => new()
    {
        { o => o.SiloPort = 0, "ArrayDict:SiloPort is 0" },
        { o => o.GatewayPort = 70000, "ArrayDict:GatewayPort is 70000" },
        { o => o.GatewayPort = o.SiloPort, "both 11111" },
        { o => o.AdvertisedIPAddress = "not-an-ip", "'not-an-ip'" },
        { o => o.ClusterId = " ", "ArrayDict:ClusterId" },
        { o => o.DataDirectory = "", "ArrayDict:DataDirectory" },
        { o => o.Storage = StorageProvider.AzureBlob, "ArrayDict:AzureStorageConnectionString" },
        { o => o.Clustering = ClusteringProvider.AzureTable, "ArrayDict:AzureStorageConnectionString" },
        { o => { o.Storage = StorageProvider.AzureBlob; o.AzureStorageConnectionString = "UseDevelopmentStorage=true"; o.BlobContainerName = "Bad_Name"; }, "'Bad_Name'" },
        { o => { o.Clustering = ClusteringProvider.AzureTable; o.AzureStorageConnectionString = "UseDevelopmentStorage=true"; o.MembershipTableName = "a-b"; }, "'a-b'" },
        { o => o.ResponseTimeout = TimeSpan.Zero, "ArrayDict:ResponseTimeout" },
        { o => o.PersistEvery = -1, "ArrayDict:PersistEvery is -1" },
        { o => o.Storage = (StorageProvider)42, "ArrayDict:Storage is '42'" },
        { o => o.Limits.MaxWidth = 0, "ArrayDict:Limits:MaxWidth is 0" },
        { o => o.Limits.MaxRows = -5, "ArrayDict:Limits:MaxRows is -5" },
        { o => o.Limits.MaxBytes = 0, "ArrayDict:Limits:MaxBytes is 0" },
        { o => o.Limits.MaxRowsPerCall = 0, "ArrayDict:Limits:MaxRowsPerCall is 0" },
        { o => o.Limits.MaxBytesPerCall = -1, "ArrayDict:Limits:MaxBytesPerCall is -1" },
        { o => o.Limits.MaxEpoch = -1, "ArrayDict:Limits:MaxEpoch is -1" },
        { o => o.AdvertisedIPAddress = "0.0.0.0", "ArrayDict:Tls:Enabled is false" },
        { o => o.Tls.Enabled = true, "no certificate is given" },
        { o => { o.Tls.Enabled = true; o.Tls.CertificatePath = "/no/such/node.pfx"; }, "ArrayDict:Tls:CertificatePath is '/no/such/node.pfx', which does not exist" },
        { o => { o.Tls.Enabled = true; o.Tls.CertificateThumbprint = "AB"; o.Tls.CaCertificatePath = "/no/ca.pem"; }, "ArrayDict:Tls:CaCertificatePath" },
        { o => { o.Storage = StorageProvider.AzureBlob; o.AzureBlobServiceUri = "ftp://x"; }, "ArrayDict:AzureBlobServiceUri 'ftp://x'" },
    };

    [Theory]
    [MemberData(nameof(InvalidSiloSettings))]
    public void ArrayDictSiloOptionsValidator_InvalidSetting_FailsNamingIt(Action<ArrayDictSiloOptions> change, string expected)
    {
        var options = new ArrayDictSiloOptions();
        change(options);

        var result = SiloValidator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.Contains(expected, StringComparison.Ordinal));
    }

    public static TheoryData<Action<ArrayDictClientOptions>, string> InvalidClientSettings => new()
    {
        { o => o.Gateways = ["localhost"], "'localhost'" },
        { o => o.Gateways = ["127.0.0.1:0"], "'127.0.0.1:0'" },
        { o => o.Clustering = "Consul", "'Consul'" },
        { o => o.Clustering = "AzureTable", "ArrayDict:AzureStorageConnectionString" },
        { o => o.MaxConcurrency = 0, "ArrayDict:MaxConcurrency is 0" },
        { o => o.MaxRetries = -1, "ArrayDict:MaxRetries is -1" },
        { o => o.ResponseTimeout = TimeSpan.FromSeconds(-1), "ArrayDict:ResponseTimeout" },
        { o => o.RetryBudget = TimeSpan.Zero, "ArrayDict:RetryBudget" },
        { o => { o.Tls.Enabled = true; o.Tls.CertificatePath = "/no/such/client.pfx"; }, "ArrayDict:Tls:CertificatePath" },
    };

    [Theory]
    [MemberData(nameof(InvalidClientSettings))]
    public void ArrayDictClientOptionsValidator_InvalidSetting_FailsNamingIt(Action<ArrayDictClientOptions> change, string expected)
    {
        var options = new ArrayDictClientOptions { Gateways = ["127.0.0.1:30000"] };
        change(options);

        var result = ClientValidator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1:30000", 30000)]
    [InlineData("localhost:30001", 30001)]
    [InlineData("[::1]:30002", 30002)]
    public void ArrayDictClientOptionsValidator_TryParseGateway_HostAndPort_Parses(string gateway, int port)
    {
        Assert.True(ArrayDictClientOptionsValidator.TryParseGateway(gateway, out var endpoint));
        Assert.Equal(port, endpoint.Port);
    }
}
