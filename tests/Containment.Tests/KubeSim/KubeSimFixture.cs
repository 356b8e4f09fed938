using global::KubeSim;

namespace Containment.Tests.KubeSim;

/// <summary>Starts a KubeSim on a free loopback port with the shop seed; one per test.</summary>
internal static class KubeSimFixture
{
    public static Task<KubeSimServer> StartAsync(bool cilium = false, TimeProvider? timeProvider = null) =>
        KubeSimServer.StartAsync(
            new KubeSimOptions { Cilium = cilium, Seed = KubeSimSeeds.Shop, TimeProvider = timeProvider ?? TimeProvider.System },
            CancellationToken.None);
}
