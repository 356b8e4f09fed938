namespace Containment.Activities;

/// <summary>The activities steps call, by name; each is the name of the activity class that implements it.</summary>
public static class ActivityNames
{
    public const string IsolatePod = "IsolatePod";
    public const string ReleasePod = "ReleasePod";
    public const string RequestApproval = "RequestApproval";
    public const string Notify = "Notify";
    public const string SetEventStatus = "SetEventStatus";
    public const string DeletePod = "DeletePod";
    public const string CordonNode = "CordonNode";
}
