namespace Containment.Playbooks;

/// <summary>Bounds a playbook's values keep to, checked when it loads.</summary>
public static class PlaybookLimits
{
    /// <summary>
    /// The longest a playbook waits at once (a wait, an approval's timeout, a retry's interval): a year and a day. A run's
    /// waits are moments in its state; one past the calendar's end cannot be kept, and one years away is a slip.
    /// </summary>
    public static readonly TimeSpan LongestDelay = TimeSpan.FromDays(366);
}
