using System.Text.Json;
using Containment.Alerts;
using Containment.Playbooks;

namespace Containment.Tests.Runs;

/// <summary>Alerts and playbooks that make a run's state as large as admission lets it be.</summary>
internal static class RunAlerts
{
    /// <summary>The alert admission still accepts with the longest description: as stored, exactly <see cref="AlertChecks.MaxStoredCharacters"/>.</summary>
    public static Alert LongestAdmitted()
    {
        var alert = MachineDriver.Alert();
        var rest = JsonSerializer.Serialize(alert with { Description = string.Empty }, ContainmentJson.Options).Length;
        var longest = alert with { Description = new string('d', AlertChecks.MaxStoredCharacters - rest) };
        Assert.Empty(AlertChecks.Check(longest, AlertPointers.At(string.Empty, string.Empty)));
        Assert.Equal(AlertChecks.MaxStoredCharacters, JsonSerializer.Serialize(longest, ContainmentJson.Options).Length);
        return longest;
    }

    /// <summary>
    /// A playbook whose one step notifies <paramref name="channels"/> channels; given <paramref name="storedCharacters"/>,
    /// its message makes the playbook that long as a run keeps it.
    /// </summary>
    public static Playbook NotifyTo(int channels, int storedCharacters = 0)
    {
        Playbook With(string message) => MachineDriver.FromSteps($$"""
            [{ "id": "tell", "type": "notify", "template": "isolated", "message": "{{message}}", "channels": [{{string.Join(", ", Enumerable.Range(1, channels).Select(channel => $"\"soc-{channel}\""))}}] }]
            """);
        var shortest = With("m");
        if (storedCharacters == 0)
        {
            return shortest;
        }

        var playbook = With(new string('m', storedCharacters - JsonSerializer.Serialize(shortest, ContainmentJson.Options).Length + 1));
        Assert.Equal(storedCharacters, JsonSerializer.Serialize(playbook, ContainmentJson.Options).Length);
        return playbook;
    }
}
