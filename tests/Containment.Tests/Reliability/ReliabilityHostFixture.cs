using Containment.Tests.EndToEnd;
using Containment.Tests.Support;

namespace Containment.Tests.Reliability;

/// <summary>
/// The whole product on loopback, configured as shipped but for Kubernetes calls that give up after one second:
/// a fault that holds a request past the timeout costs a second, not the default thirty.
/// </summary>
public sealed class ReliabilityHostFixture : LocalHostFixture
{
    public static readonly TimeSpan KubernetesRequestTimeout = TimeSpan.FromSeconds(1);

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Containment:KubernetesRequestTimeout"] = KubernetesRequestTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Isolates a pod of its own, to the run's wait for approval. A process's first Kubernetes calls, cold, can take
    /// longer than the timeout and be tried again; a test that counts a fault's answers (a 403 is met once) would see that.
    /// </summary>
    protected override async Task WarmUpAsync()
    {
        using var flow = new FlowClient(this);
        var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", TakePod()));
        await flow.RunUntilAsync((string)body["alerts"]![0]!["instanceId"]!, FlowClient.Waiting);
    }
}

[CollectionDefinition(Name)]
public sealed class ReliabilityHostCollection : ICollectionFixture<ReliabilityHostFixture>
{
    public const string Name = "reliability host";
}
