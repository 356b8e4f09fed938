using Containment.Tests.Support;

namespace Containment.Tests.Reliability;

/// <summary>
/// The whole product on loopback, with Kubernetes calls that give up after one second and are tried up to
/// eleven times: a fault that holds a request past the timeout costs a second, not the default thirty.
/// </summary>
public sealed class ReliabilityHostFixture : LocalHostFixture
{
    public static readonly TimeSpan KubernetesRequestTimeout = TimeSpan.FromSeconds(1);

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Containment:KubernetesRequestTimeout"] = KubernetesRequestTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        settings["Containment:KubernetesMaxRetries"] = "10";
        settings["Containment:KubernetesRetryBaseDelay"] = "00:00:00.050";
    }
}

[CollectionDefinition(Name)]
public sealed class ReliabilityHostCollection : ICollectionFixture<ReliabilityHostFixture>
{
    public const string Name = "reliability host";
}
