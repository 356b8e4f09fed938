using Containment.Isolation;
using Containment.Notifications;
using Containment.Notifications.Channels;
using Containment.Playbooks;

namespace Containment.Tests.Notifications;

public sealed class NotificationTemplatesTests
{
    public static TheoryData<NotificationTemplate> Templates() => [.. Enum.GetValues<NotificationTemplate>()];

    [Theory]
    [MemberData(nameof(Templates))]
    public void Render_EveryTemplate_CarriesThePodDetails(NotificationTemplate template)
    {
        var message = NotificationTemplates.Render(HttpChannelTests.Request("c", template) with { Message = "Extra words." });

        Assert.Equal(KebabCaseEnumConverter.ToWireName(template), message.Event);
        Assert.Contains("payments/api-7d9f8-abcde", message.Title, StringComparison.Ordinal);
        Assert.EndsWith("Extra words.", message.Summary, StringComparison.Ordinal);
        var facts = message.Facts.ToDictionary(fact => fact.Label, fact => fact.Value);
        Assert.Equal("reverse-shell", facts["Category"]);
        Assert.Equal("High", facts["Severity"]);
        Assert.Equal("Redirect STDOUT/STDIN to Network Connection in Container", facts["Rule"]);
        Assert.Equal("aks-prod", facts["Cluster"]);
        Assert.Equal("payments", facts["Namespace"]);
        Assert.Equal("api-7d9f8-abcde", facts["Pod"]);
        Assert.Equal("api", facts["Container"]);
        Assert.Equal("registry.example.com/payments/api:1.4.2", facts["Image"]);
        Assert.Equal("aks-nodepool1-12345-vmss000001", facts["Node"]);
        Assert.Equal("2026-11-23 07:30:00 UTC", facts["Time"]);
        Assert.Equal("run-1", facts["Run"]);
        Assert.Equal(["Review and approve", "Review and reject"], message.Links.Select(link => link.Label));

        // Every channel renders every template.
        Assert.NotNull(TeamsCard.Render(message));
        Assert.NotNull(SlackBlocks.Render(message));
        Assert.Contains("api-7d9f8-abcde", EmailContent.Html(message), StringComparison.Ordinal);
    }

    public static TheoryData<PodOwnership?, string> WhileIsolated() => new()
    {
        { null, "It keeps running for forensics." },
        { new PodOwnership(null), "It keeps running for forensics. No controller owns it, so nothing takes its place: what it served stays down until it is released." },
        { Owned(PodOwnership.ReplicaSet, "api-7d9f8"), "It keeps running for forensics; its ReplicaSet api-7d9f8 starts a replacement, which serves meanwhile." },
        { Owned(PodOwnership.StatefulSet, "db"), "It keeps running for forensics; its StatefulSet db starts no replacement while the pod keeps its name, and runs a replica short until the release." },
        { Owned(PodOwnership.DaemonSet, "agent"), "It keeps running for forensics; its DaemonSet agent starts a replacement on the same node." },
        { Owned("Rollout", "canary"), "It keeps running for forensics; its owner, Rollout canary, decides whether another pod takes its place." },
    };

    [Theory]
    [MemberData(nameof(WhileIsolated))]
    public void Render_Isolated_SaysWhatBecomesOfTheWorkload_AsWhoOwnedThePod(PodOwnership? ownership, string said)
    {
        var message = NotificationTemplates.Render(HttpChannelTests.Request("c", NotificationTemplate.Isolated) with { PodOwnership = ownership });

        Assert.Equal($"Pod payments/api-7d9f8-abcde was isolated from the network after a reverse-shell alert. {said}", message.Summary);
    }

    [Fact]
    public void Render_Released_OfAReplicaSetsPod_SaysItTakesThePodBackAndDeletesOne()
    {
        var request = HttpChannelTests.Request("c", NotificationTemplate.Released);

        var owned = NotificationTemplates.Render(request with { PodOwnership = Owned(PodOwnership.ReplicaSet, "api-7d9f8") }).Summary;
        var bare = NotificationTemplates.Render(request with { PodOwnership = new PodOwnership(null) }).Summary;

        Assert.EndsWith("its labels restored. Its ReplicaSet api-7d9f8 takes it back and, one pod over its replicas, deletes one: usually the replacement it started, the younger.", owned, StringComparison.Ordinal);
        Assert.EndsWith("its labels restored.", bare, StringComparison.Ordinal);
    }

    private static PodOwnership Owned(string kind, string name) => new(new PodController(kind, name));

    [Fact]
    public void Render_NoLinksNoOptionalFields_OmitsThem()
    {
        var alert = TestAlerts.ReverseShell() with { Rule = null, Target = TestAlerts.ReverseShell().Target with { Container = null, Image = null, Node = null } };
        var request = new NotificationRequest { Template = NotificationTemplate.Released, Alert = alert, Channels = ["c"] };

        var message = NotificationTemplates.Render(request);

        Assert.Empty(message.Links);
        Assert.DoesNotContain(message.Facts, fact => fact.Label is "Rule" or "Container" or "Image" or "Node" or "Run");
    }

    [Fact]
    public void Render_IsolatedWithWarnings_SaysWhatIsNotGuaranteed_BeforeThePlaybooksWords_AndAsksForAttention()
    {
        var request = HttpChannelTests.Request("c", NotificationTemplate.Isolated) with
        {
            Message = "Extra words.",
            IsolationWarnings = ["Calico keeps connections established before the policy; restart or delete the pod to cut them", "another."],
        };

        var message = NotificationTemplates.Render(request);

        Assert.EndsWith(
            "Not guaranteed: Calico keeps connections established before the policy; restart or delete the pod to cut them. another. Extra words.",
            message.Summary,
            StringComparison.Ordinal);
        Assert.True(message.Urgent);
        Assert.False(NotificationTemplates.Render(request with { IsolationWarnings = [] }).Urgent);
        Assert.Contains("Not guaranteed: Calico keeps", EmailContent.Html(message), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MalwareNeedsHandling_SaysTheEventStaysUnprocessed()
    {
        var message = NotificationTemplates.Render(HttpChannelTests.Request("c", NotificationTemplate.MalwareNeedsHandling));

        Assert.Contains("Unprocessed", message.Summary, StringComparison.Ordinal);
        Assert.True(message.Urgent);
    }
}
