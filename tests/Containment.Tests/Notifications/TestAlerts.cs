using Containment.Alerts;

namespace Containment.Tests.Notifications;

internal static class TestAlerts
{
    public const string HostilePod = "api-<script>alert(1)</script>&\"x\"";

    public static Alert ReverseShell(string pod = "api-7d9f8-abcde") => new()
    {
        Id = "alert-42",
        Source = "falco",
        Category = AlertCategory.ReverseShell,
        Severity = Severity.High,
        Time = new DateTimeOffset(2026, 11, 23, 7, 30, 0, TimeSpan.Zero),
        Title = "Reverse shell in container",
        Rule = "Redirect STDOUT/STDIN to Network Connection in Container",
        Target = new AlertTarget
        {
            Cluster = "aks-prod",
            Namespace = "payments",
            Pod = pod,
            Container = "api",
            Image = "registry.example.com/payments/api:1.4.2",
            Node = "aks-nodepool1-12345-vmss000001",
        },
    };
}
