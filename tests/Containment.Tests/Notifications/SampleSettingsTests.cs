using Containment.Approvals;
using Containment.Local.Hosting;
using Containment.Notifications;
using Containment.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Notifications;

public sealed class SampleSettingsTests
{
    [Fact]
    public void AddContainment_SampleSettings_ChannelsAndApprovalKeyValidate()
    {
        var configuration = new ConfigurationBuilder().AddLocalSettingsFile(RepositoryRoot.Combine("local.settings.sample.json"), optional: false).Build();
        using var provider = new ServiceCollection().AddLogging().AddContainment(configuration).BuildServiceProvider();

        var channels = provider.GetRequiredService<IOptions<NotificationOptions>>().Value.Channels;

        Assert.Equal(["soc-email", "soc-oncall", "soc-teams"], channels.Keys.Order(StringComparer.Ordinal));
        Assert.IsType<EmailChannelOptions>(channels["soc-email"]);
        Assert.NotNull(provider.GetRequiredService<INotificationSender>());
        Assert.NotNull(provider.GetRequiredService<ApprovalTokens>());
    }
}
