using Containment.Alerts;
using Containment.Api;
using Containment.Ledger;

namespace Containment.Tests.Api;

public sealed class ManualAlertTests
{
    private static readonly DateTimeOffset Instant = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TwoActsInOneInstant_AreTwoSecurityEvents()
    {
        var first = IsolationsApi.ManualAlert(IsolationsApi.ManualIsolate, "isolated by hand: shell", Target("web-1"), Instant, "ana");
        var second = IsolationsApi.ManualAlert(IsolationsApi.ManualIsolate, "isolated by hand: shell", Target("web-2"), Instant, "ana");

        Assert.NotEqual(SecurityEventLedger.IdOf(first), SecurityEventLedger.IdOf(second));
        Assert.StartsWith("manual:manual-isolate-", SecurityEventLedger.IdOf(first), StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_OrderedByTheirInstant()
    {
        var ids = Enumerable.Range(0, 50)
            .Select(second => IsolationsApi.ManualAlert(IsolationsApi.ManualRelease, "released by hand: ok", Target("web-1"), Instant.AddSeconds(second), "ana").Id)
            .ToList();

        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    private static AlertTarget Target(string pod) => new() { Cluster = "aks-prod", Namespace = "shop", Pod = pod };
}
