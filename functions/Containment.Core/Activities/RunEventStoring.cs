using Containment.Ledger;

namespace Containment.Activities;

/// <summary>
/// An activity whose calls for the run's first step also store the run's security event if no delivery did: the
/// delivery that started a run answers an error when the event's insert fails after the run's, and a sender that never
/// sends again, or a host stopped between the two, would leave the run without its event. The store goes beside the
/// call, so an isolation does not wait for it; where it fails the call fails as retryable, and is tried again.
/// </summary>
public sealed class RunEventStoring(IRunActivity activity, SecurityEventLedger events, TimeProvider time) : IRunActivity
{
    public string Name => activity.Name;

    public void ReadAhead(ActivityRequest request, CancellationToken cancellationToken) => activity.ReadAhead(request, cancellationToken);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        if (!request.StoresRunEvent)
        {
            return await activity.RunAsync(request, cancellationToken);
        }

        var storing = events.EnsureStoredAsync(ActivityTargets.EventOf(request, time.GetUtcNow()), cancellationToken);
        var running = activity.RunAsync(request, cancellationToken);
        await Task.WhenAll(storing, running);
        return await running;
    }
}
