namespace Containment.Runs.Embedded;

/// <summary>
/// Counts the drives under way and wakes a waiter once, when the count falls to zero. Waiting on the drives'
/// own tasks would poll: a drive's task ends before it is taken out of any set, and a waiter that wakes in
/// between finds the set not empty and, with nothing left to await, spins until it is.
/// </summary>
internal sealed class DrivesInFlight
{
    private readonly Lock gate = new();
    private int count;
    private TaskCompletionSource? none;

    public void Started()
    {
        lock (gate)
        {
            count++;
        }
    }

    public void Ended()
    {
        TaskCompletionSource? woken = null;
        lock (gate)
        {
            if (--count == 0)
            {
                (woken, none) = (none, null);
            }
        }

        woken?.TrySetResult();
    }

    /// <summary>Completes when no drive is under way; already complete when none is now.</summary>
    public Task WhenNoneAsync()
    {
        lock (gate)
        {
            return count == 0
                ? Task.CompletedTask
                : (none ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }
}
