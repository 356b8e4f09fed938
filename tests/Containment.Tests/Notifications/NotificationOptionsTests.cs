using Containment.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Notifications;

public sealed class NotificationOptionsTests
{
    [Fact]
    public void Read_SampleShapedSettings_GivesTypedChannels()
    {
        var options = Read(new()
        {
            ["Containment:Notifications:Channels:soc-teams:Type"] = "teams",
            ["Containment:Notifications:Channels:soc-teams:Url"] = "https://example.invalid/teams?sig=1",
            ["Containment:Notifications:Channels:soc-email:Type"] = "Email",
            ["Containment:Notifications:Channels:soc-email:SmtpHost"] = "smtp.example.com",
            ["Containment:Notifications:Channels:soc-email:Port"] = "465",
            ["Containment:Notifications:Channels:soc-email:Security"] = "ssl-on-connect",
            ["Containment:Notifications:Channels:soc-email:To"] = "a@example.com; b@example.com",
            ["Containment:Notifications:Channels:hook:Type"] = "webhook",
            ["Containment:Notifications:Channels:hook:Url"] = "https://example.invalid/hook",
            ["Containment:Notifications:Channels:hook:Secret"] = "0123456789abcdef",
        });

        Assert.Empty(options.Validate());
        Assert.IsType<TeamsChannelOptions>(options.Channels["SOC-TEAMS"]);
        var email = Assert.IsType<EmailChannelOptions>(options.Channels["soc-email"]);
        Assert.Equal(SmtpSecurity.SslOnConnect, email.Security);
        Assert.Equal(465, email.Port);
        Assert.Equal(["a@example.com", "b@example.com"], email.To);
        Assert.Equal("0123456789abcdef", Assert.IsType<WebhookChannelOptions>(options.Channels["hook"]).Secret);
    }

    [Theory]
    [InlineData("teams", "Url", "Containment:Notifications:Channels:broken:Url is required for teams channels")]
    [InlineData("slack", "Url", "Containment:Notifications:Channels:broken:Url is required for slack channels")]
    [InlineData("webhook", "Url", "Containment:Notifications:Channels:broken:Url is required for webhook channels")]
    [InlineData("email", "SmtpHost", "Containment:Notifications:Channels:broken:SmtpHost is required for email channels")]
    [InlineData("email", "To", "Containment:Notifications:Channels:broken:To is required for email channels")]
    public void Start_ChannelMissingAField_FailsNamingChannelAndField(string type, string missing, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Containment:Notifications:Channels:broken:Type"] = type,
            ["Containment:Notifications:Channels:broken:Url"] = "https://example.invalid/x",
            ["Containment:Notifications:Channels:broken:SmtpHost"] = "smtp.example.com",
            ["Containment:Notifications:Channels:broken:To"] = "soc@example.com",
        };
        settings.Remove($"Containment:Notifications:Channels:broken:{missing}");

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains(expected, error.Failures);
    }

    [Theory]
    [InlineData("To", "soc")]
    [InlineData("To", "soc@")]
    [InlineData("From", "containment")]
    [InlineData("From", "not an address")]
    public void Start_EmailAddressNoServerDeliversTo_FailsNamingTheField(string field, string address)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Containment:Notifications:Channels:mail:Type"] = "email",
            ["Containment:Notifications:Channels:mail:SmtpHost"] = "smtp.example.com",
            ["Containment:Notifications:Channels:mail:To"] = "soc@example.com",
            [$"Containment:Notifications:Channels:mail:{field}"] = address,
        };

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Equal(
            [$"Containment:Notifications:Channels:mail:{field}: '{address}' is not an email address (name@example.com, or Name <name@example.com>)"],
            error.Failures);
    }

    [Fact]
    public void Start_UnknownType_Fails()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Containment:Notifications:Channels:x:Type"] = "pager" }));

        Assert.Contains("Containment:Notifications:Channels:x:Type must be one of teams, slack, email, webhook (found 'pager')", error.Failures);
    }

    [Theory]
    [InlineData("AttemptTimeout", "30.00:00:00", "Containment:Notifications:AttemptTimeout must be at most 00:10:00")]
    [InlineData("RetryDelay", "01:00:00", "Containment:Notifications:RetryDelay must be at most 00:02:00")]
    [InlineData("AttemptTimeout", "00:00:00", "Containment:Notifications:RetryDelay and AttemptTimeout must be positive")]
    public void Start_TimingOutOfBounds_FailsNamingTheSetting(string setting, string value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Containment:Notifications:" + setting] = value }));

        Assert.Equal([expected], error.Failures);
    }

    [Theory]
    [InlineData("AttemptTimeout", "00:10:00")]
    [InlineData("RetryDelay", "00:02:00")]
    public void Start_TimingAtItsBound_IsValid(string setting, string value)
    {
        Assert.Empty(Resolve(new() { ["Containment:Notifications:" + setting] = value }).Channels);
    }

    [Fact]
    public void Start_NoChannels_IsValid()
    {
        Assert.Empty(Resolve([]).Channels);
    }

    private static NotificationOptions Read(Dictionary<string, string?> settings)
    {
        var options = new NotificationOptions();
        NotificationOptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), options);
        return options;
    }

    private static NotificationOptions Resolve(Dictionary<string, string?> settings)
    {
        using var provider = new ServiceCollection().AddLogging()
            .AddNotifications(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<NotificationOptions>>().Value;
    }
}
