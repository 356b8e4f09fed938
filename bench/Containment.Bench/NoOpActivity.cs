using Containment.Activities;

namespace Containment.Bench;

/// <summary>An activity that does nothing, so the benchmark measures the runtime and storage alone.</summary>
internal sealed class NoOpActivity(string name) : IRunActivity
{
    public string Name => name;

    public Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken) => Task.FromResult(ActivityResult.Success());
}
