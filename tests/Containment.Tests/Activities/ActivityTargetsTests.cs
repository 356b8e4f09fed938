using Containment.Activities;
using Containment.Alerts;
using Containment.Isolation;
using Containment.Playbooks;

namespace Containment.Tests.Activities;

public sealed class ActivityTargetsTests
{
    [Fact]
    public void QuarantineId_SameRunAskedAgain_SameId()
    {
        var isolate = Request("alert-1", "isolate");

        Assert.Equal(ActivityTargets.QuarantineId(isolate), ActivityTargets.QuarantineId(isolate with { CallId = "release", Attempt = 2 }));
    }

    [Fact]
    public void QuarantineId_ThePodsNextRun_AnotherId()
    {
        Assert.NotEqual(ActivityTargets.QuarantineId(Request("alert-1", "isolate")), ActivityTargets.QuarantineId(Request("alert-2", "isolate")));
    }

    [Fact]
    public void QuarantineId_IsAValidLabelValueKeptAsItIs()
    {
        var id = ActivityTargets.QuarantineId(Request("alert-1", "isolate"));

        Assert.Matches("^q-[0-9a-f]{20}$", id);
        Assert.Equal(id, QuarantineNames.LabelValue(id));
    }

    private static ActivityRequest Request(string alertId, string callId) => new()
    {
        InstanceId = "aks-prod~shop~web-1",
        CallId = callId,
        Playbook = "p",
        Step = new IsolateStep { Id = callId },
        Alert = new Alert
        {
            Id = alertId,
            Source = "falco",
            Category = AlertCategory.ReverseShell,
            Severity = Severity.High,
            Time = DateTimeOffset.UnixEpoch,
            Target = new AlertTarget { Cluster = "aks-prod", Namespace = "shop", Pod = "web-1" },
        },
    };
}
