using Microsoft.Extensions.Configuration;

namespace Containment.Notifications;

/// <summary>
/// Reads <c>Containment:Notifications</c> into typed channel options. Read by hand rather than bound, because
/// the channel class depends on its <c>Type</c> and enum settings are written in kebab-case (<c>ssl-on-connect</c>).
/// </summary>
public static class NotificationOptionsReader
{
    public static void Read(IConfiguration configuration, NotificationOptions options)
    {
        var section = configuration.GetSection(NotificationOptions.Section);
        options.MaxAttempts = section.GetValue(nameof(NotificationOptions.MaxAttempts), options.MaxAttempts);
        options.RetryDelay = section.GetValue(nameof(NotificationOptions.RetryDelay), options.RetryDelay);
        options.AttemptTimeout = section.GetValue(nameof(NotificationOptions.AttemptTimeout), options.AttemptTimeout);

        foreach (var channel in section.GetSection("Channels").GetChildren())
        {
            var read = ReadChannel(channel, options.ReadProblems);
            if (read is not null)
            {
                read.Name = channel.Key;
                options.Channels[channel.Key] = read;
            }
        }
    }

    private static ChannelOptions? ReadChannel(IConfigurationSection channel, List<string> problems)
    {
        var typeText = channel["Type"];
        if (!KebabCaseEnumConverter.TryParse<ChannelType>(typeText, out var type))
        {
            problems.Add($"{NotificationOptions.Section}:Channels:{channel.Key}:Type must be one of teams, slack, email, webhook (found '{typeText}')");
            return null;
        }

        return type switch
        {
            ChannelType.Teams => new TeamsChannelOptions { Url = ReadUrl(channel, "Url", problems) },
            ChannelType.Slack => new SlackChannelOptions { Url = ReadUrl(channel, "Url", problems) },
            ChannelType.Webhook => new WebhookChannelOptions { Url = ReadUrl(channel, "Url", problems), Secret = NullIfEmpty(channel["Secret"]) },
            _ => ReadEmail(channel, problems),
        };
    }

    private static EmailChannelOptions ReadEmail(IConfigurationSection channel, List<string> problems)
    {
        var email = new EmailChannelOptions
        {
            SmtpHost = NullIfEmpty(channel[nameof(EmailChannelOptions.SmtpHost)]),
            Username = NullIfEmpty(channel[nameof(EmailChannelOptions.Username)]),
            Password = NullIfEmpty(channel[nameof(EmailChannelOptions.Password)]),
            To = ReadList(channel.GetSection(nameof(EmailChannelOptions.To))),
        };
        if (NullIfEmpty(channel[nameof(EmailChannelOptions.From)]) is { } from)
        {
            email.From = from;
        }

        if (channel[nameof(EmailChannelOptions.Port)] is { Length: > 0 } port)
        {
            email.Port = int.TryParse(port, out var number) ? number : 0;
        }

        if (channel[nameof(EmailChannelOptions.Security)] is { Length: > 0 } security)
        {
            if (KebabCaseEnumConverter.TryParse<SmtpSecurity>(security, out var parsed))
            {
                email.Security = parsed;
            }
            else
            {
                problems.Add($"{NotificationOptions.Section}:Channels:{channel.Key}:Security must be one of none, start-tls, ssl-on-connect (found '{security}')");
            }
        }

        return email;
    }

    private static Uri? ReadUrl(IConfigurationSection channel, string field, List<string> problems)
    {
        var text = NullIfEmpty(channel[field]);
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            return url;
        }

        problems.Add($"{NotificationOptions.Section}:Channels:{channel.Key}:{field} is not an absolute URL");
        return null;
    }

    /// <summary>A list section (<c>To:0</c>, <c>To:1</c>) or one value separated by commas or semicolons.</summary>
    private static IReadOnlyList<string> ReadList(IConfigurationSection section)
    {
        var values = section.Value is { Length: > 0 } single ? [single] : section.GetChildren().Select(child => child.Value ?? string.Empty);
        return [.. values.SelectMany(value => value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
