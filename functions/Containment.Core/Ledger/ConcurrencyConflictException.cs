namespace Containment.Ledger;

/// <summary>A conditional write kept losing races with other writers; nothing was overwritten.</summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);
