using Containment.Activities;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Tests.Reliability;
using Containment.Tests.Support;

namespace Containment.Tests.Notifications;

/// <summary>The <c>notify</c> step's activity over a real channel on loopback, with its audit trail in Azurite.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class NotifyActivityTests(LocalHostFixture host) : IDisposable
{
    private readonly LoopbackReceiver receiver = new();
    private readonly AuditTrail audit = host.Get<AuditTrail>();

    public void Dispose() => receiver.Dispose();

    [Fact]
    public async Task Notify_ChannelRefuses_FailsForGoodAndTellsTheAuditTrail()
    {
        using var harness = Harness();
        receiver.Answer(404);
        var request = NotifyRequest();

        var result = await new Notify(harness.Sender, audit, harness.Time).RunAsync(request, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.Retryable);
        Assert.Contains("soc-hook", result.Reason, StringComparison.Ordinal);
        Assert.Contains("404", result.Reason, StringComparison.Ordinal);
        var entry = Assert.Single(await audit.ListAsync(AuditSubject.Isolation, request.InstanceId, CancellationToken.None));
        Assert.Equal(AuditAction.NotificationFailed, entry.Action);
        Assert.Equal(result.Reason, entry.Detail);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Notify_ChannelTakesIt_SucceedsWithNothingInTheAuditTrail()
    {
        using var harness = Harness();
        var request = NotifyRequest();

        var result = await new Notify(harness.Sender, audit, harness.Time).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Empty(await audit.ListAsync(AuditSubject.Isolation, request.InstanceId, CancellationToken.None));
        Assert.Contains("The pod stays isolated.", System.Text.Encoding.UTF8.GetString(Assert.Single(receiver.Requests).Body), StringComparison.Ordinal);
    }

    private static ActivityRequest NotifyRequest() =>
        ActivityCalls.Request("notify-activity", "notify-" + Guid.NewGuid().ToString("N")[..8], new NotifyStep { Id = "tell-soc", Channels = ["soc-hook"], Template = NotificationTemplate.Isolated, Message = "The pod stays isolated." })
        with { Channel = "soc-hook" };

    private NotificationHarness Harness() => new(new Dictionary<string, string?>
    {
        ["Containment:Notifications:Channels:soc-hook:Type"] = "webhook",
        ["Containment:Notifications:Channels:soc-hook:Url"] = receiver.Url.AbsoluteUri,
    });
}
