namespace Containment.Runs.Embedded;

/// <summary>
/// A run whose state could not be stored could not store its failure either (<see cref="UnstorableState"/>): driving it
/// again would only make its pending calls again.
/// </summary>
internal sealed class UnstorableRunException(string instanceId, Exception inner)
    : Exception($"run {instanceId} could not store its state, nor its failure: {inner.Message}", inner);
