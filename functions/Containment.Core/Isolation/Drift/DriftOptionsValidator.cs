using Containment.Notifications;
using Microsoft.Extensions.Options;

namespace Containment.Isolation.Drift;

/// <summary>Fails start-up when the watch's interval is out of range or it names a channel that is not configured.</summary>
public sealed class DriftOptionsValidator(IOptions<NotificationOptions> notifications) : IValidateOptions<DriftOptions>
{
    private static readonly TimeSpan ShortestInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestInterval = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, DriftOptions options)
    {
        var problems = new List<string>();
        if (options.Every != TimeSpan.Zero && (options.Every < ShortestInterval || options.Every > LongestInterval))
        {
            problems.Add($"{DriftOptions.Section}:{nameof(DriftOptions.Every)} must be 00:00:00 (off) or between {ShortestInterval:c} and {LongestInterval:c}, not {options.Every:c}");
        }

        var configured = ConfiguredChannels();
        for (var index = 0; index < options.Channels.Count && configured is not null; index++)
        {
            var channel = options.Channels[index];
            if (!configured.Contains(channel))
            {
                problems.Add($"{DriftOptions.Section}:{nameof(DriftOptions.Channels)}:{index} names channel '{channel}', which is not configured under {NotificationOptions.Section}:Channels");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    // Channels that fail their own validation are reported by it, once; the names are not judged against them.
    private HashSet<string>? ConfiguredChannels()
    {
        try
        {
            return notifications.Value.Channels.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
