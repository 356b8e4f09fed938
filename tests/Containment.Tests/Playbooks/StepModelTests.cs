using Containment.Alerts;
using Containment.Playbooks;

namespace Containment.Tests.Playbooks;

public sealed class StepModelTests
{
    private const string EveryStepType = """
        [{ "id": "isolate", "type": "isolate", "markEventProcessed": false, "allowPartial": true,
           "retry": { "maxAttempts": 4, "firstInterval": "PT2S", "backoffCoefficient": 3, "maxInterval": "PT1M" } },
         { "id": "cordon", "type": "cordonNode", "continueOnError": true, "when": { "category": { "is": "container-escape" } } },
         { "id": "tell", "type": "notify", "channels": ["soc-teams"], "template": "malware-needs-handling", "message": "look" },
         { "id": "pause", "type": "wait", "duration": "PT90S" },
         { "id": "mark", "type": "setEventStatus", "status": "unprocessed", "reason": "malware still present" },
         { "id": "ask", "type": "approval", "message": "Release?", "approvers": ["ana@contoso.com"], "channels": ["soc-email"], "timeout": "P1DT2H",
           "onApproved": [{ "id": "free", "type": "release", "reason": "clean" }],
           "onRejected": [{ "id": "kill", "type": "deletePod", "gracePeriod": "PT0S" }],
           "onTimeout": [{ "id": "late", "type": "notify", "channels": ["soc-teams"], "template": "timed-out" }] }]
        """;

    [Fact]
    public void Parse_EveryStepType_ReadsTypedRecords()
    {
        var result = PlaybookText.Parse(PlaybookText.With(EveryStepType, trigger: """{ "categories": ["container-escape", "malware"] }"""));

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        var steps = result.Playbook!.Steps;
        var isolate = Assert.IsType<IsolateStep>(steps[0]);
        Assert.False(isolate.MarkEventProcessed);
        Assert.True(isolate.AllowPartial);
        Assert.Equal(new StepRetryPolicy { MaxAttempts = 4, FirstInterval = TimeSpan.FromSeconds(2), BackoffCoefficient = 3, MaxInterval = TimeSpan.FromMinutes(1) }, isolate.Retry);
        var cordon = Assert.IsType<CordonNodeStep>(steps[1]);
        Assert.True(cordon.ContinueOnError);
        Assert.Equal(AlertCategory.ContainerEscape, cordon.When!.Category!.Is);
        var notify = Assert.IsType<NotifyStep>(steps[2]);
        Assert.Equal(NotificationTemplate.MalwareNeedsHandling, notify.Template);
        Assert.Equal(["soc-teams"], notify.Channels);
        Assert.Equal(TimeSpan.FromSeconds(90), Assert.IsType<WaitStep>(steps[3]).Duration);
        Assert.Equal(EventStatus.Unprocessed, Assert.IsType<SetEventStatusStep>(steps[4]).Status);
        var approval = Assert.IsType<ApprovalStep>(steps[5]);
        Assert.Equal(new TimeSpan(1, 2, 0, 0), approval.Timeout);
        Assert.Equal("clean", Assert.IsType<ReleaseStep>(Assert.Single(approval.OnApproved!)).Reason);
        Assert.Equal(TimeSpan.Zero, Assert.IsType<DeletePodStep>(Assert.Single(approval.OnRejected!)).GracePeriod);
        Assert.Equal(NotificationTemplate.TimedOut, Assert.IsType<NotifyStep>(Assert.Single(approval.OnTimeout!)).Template);
    }

    [Fact]
    public void Type_EachStep_IsItsWireName()
    {
        var playbook = PlaybookText.Parse(PlaybookText.With(EveryStepType, trigger: """{ "categories": ["container-escape", "malware"] }""")).Playbook!;

        Assert.Equal(["isolate", "cordonNode", "notify", "wait", "setEventStatus", "approval"], playbook.Steps.Select(step => step.Type));
        Assert.Equal(["onApproved", "onRejected", "onTimeout"], playbook.Steps[5].Branches.Select(branch => branch.Field));
    }

    [Fact]
    public void Parse_DefaultsOmitted_AppliesDocumentedDefaults()
    {
        var playbook = PlaybookText.Parse(PlaybookText.With("""[{ "id": "isolate", "type": "isolate" }]""")).Playbook!;

        var isolate = Assert.IsType<IsolateStep>(playbook.Steps[0]);
        Assert.True(isolate.MarkEventProcessed);
        Assert.False(isolate.AllowPartial);
        Assert.False(isolate.ContinueOnError);
        Assert.True(playbook.Enabled);
        Assert.Equal(0, playbook.Priority);
        Assert.Equal(Severity.Informational, playbook.Trigger.MinSeverity);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(6, 20)]
    public void DelayAfter_Attempt_GrowsExponentiallyUpToMax(int attempt, int expectedSeconds)
    {
        var retry = new StepRetryPolicy { FirstInterval = TimeSpan.FromSeconds(2), BackoffCoefficient = 2, MaxInterval = TimeSpan.FromSeconds(20) };

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), retry.DelayAfter(attempt));
    }
}
