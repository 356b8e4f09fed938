using Containment.Playbooks;

namespace Containment.Activities;

/// <summary>What a <c>notify</c> call keeps in the run's history: which message went to which channel, and when.</summary>
public sealed record NotificationSent(string Channel, NotificationTemplate Template, DateTimeOffset At);
