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

    /// <summary>
    /// Starts what a first attempt of this call begins with while the run that makes the call is being stored: reads,
    /// and writes that change nothing the call acts on until the attempt does (should the run never be stored, what they
    /// leave must do nothing). The attempt uses them if they are fresh and worked. Called for a run's first step by the
    /// embedded runtime; it must return at once and never throw. By default there is nothing to do ahead.
    /// </summary>
    void ReadAhead(ActivityRequest request, CancellationToken cancellationToken)
    {
    }
}
