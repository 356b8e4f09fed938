namespace Containment.Activities;

/// <summary>The activities steps call, by name; each is the name of the activity class that implements it.</summary>
public static class ActivityNames
{
    public const string IsolatePod = nameof(Activities.IsolatePod);
    public const string ReleasePod = nameof(Activities.ReleasePod);
    public const string RequestApproval = nameof(Activities.RequestApproval);
    public const string Notify = nameof(Activities.Notify);
    public const string SetEventStatus = nameof(Activities.SetEventStatus);
    public const string DeletePod = nameof(Activities.DeletePod);
    public const string CordonNode = nameof(Activities.CordonNode);
    public const string UncordonNode = nameof(Activities.UncordonNode);
}
