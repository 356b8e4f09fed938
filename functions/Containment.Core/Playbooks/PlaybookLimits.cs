namespace Containment.Playbooks;

/// <summary>Bounds a playbook's values keep to, checked when it loads.</summary>
public static class PlaybookLimits
{
    /// <summary>
    /// The longest a playbook waits at once (a wait, an approval's timeout, a retry's interval): a year and a day. A run's
    /// waits are moments in its state; one past the calendar's end cannot be kept, and one years away is a slip.
    /// </summary>
    public static readonly TimeSpan LongestDelay = TimeSpan.FromDays(366);

    /// <summary>
    /// The longest a playbook may be as a run keeps it (its JSON, in characters). A run's row holds the playbook beside the
    /// run's state, and Table Storage holds a row to 1 MiB at two bytes a character: the longest state a row takes
    /// (<see cref="TableJson.MaxCharacters"/>, the longest alert admission accepts among it) leaves room for this much.
    /// </summary>
    public const int LongestStoredCharacters = 64_000;
}
