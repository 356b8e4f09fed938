namespace Containment.Notifications;

/// <summary>"1 attempt", "4 attempts".</summary>
internal static class Attempts
{
    public static string Describe(int count) => count == 1 ? "1 attempt" : $"{count} attempts";
}
