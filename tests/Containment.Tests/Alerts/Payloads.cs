namespace Containment.Tests.Alerts;

/// <summary>Reads the payload fixtures copied next to the test assembly.</summary>
internal static class Payloads
{
    public static BinaryData Load(string name) =>
        BinaryData.FromBytes(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Alerts", "Payloads", name)));
}
