using KubeSim;

namespace Containment.Tests.Support;

/// <summary>Fault rules on KubeSim while it is not disposed: a test's faults end with the test, whatever it asserts.</summary>
internal sealed class FaultsOn : IDisposable
{
    private readonly KubeSimServer sim;

    public FaultsOn(KubeSimServer sim, params List<FaultRule> rules)
    {
        (this.sim, Rules) = (sim, rules);
        foreach (var rule in rules)
        {
            sim.Faults.Add(rule);
        }
    }

    public List<FaultRule> Rules { get; }

    public void Dispose()
    {
        foreach (var rule in Rules)
        {
            sim.Faults.Remove(rule);
        }
    }
}
