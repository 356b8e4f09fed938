namespace Containment.Activities;

/// <summary>What an approval request keeps in the run's history: the channels the link reached, and until when it holds.</summary>
public sealed record ApprovalLinkSent(IReadOnlyList<string> SentTo, DateTimeOffset ExpiresAt);
