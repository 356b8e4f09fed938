namespace Containment.Activities;

/// <summary>
/// One thing a playbook step does to the world (isolate a pod, send a message). Activities are idempotent:
/// called twice with the same <see cref="ActivityRequest.CallId"/> they leave the same result.
/// </summary>
public interface IRunActivity
{
    /// <summary>The activity's name, as runs call it: the class name (<c>nameof(IsolatePod)</c>).</summary>
    string Name { get; }

    Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken);
}
