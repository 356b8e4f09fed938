using Azure.Core;

namespace Containment.Tests.Support;

/// <summary>Which storage requests the fault-injecting pipeline policies act on.</summary>
internal static class StorageWrites
{
    /// <summary>Whether the request writes (any method but GET and HEAD) to a path ending in <paramref name="pathEnd"/>.</summary>
    public static bool IsWriteTo(HttpMessage message, string pathEnd) =>
        message.Request.Method != RequestMethod.Get && message.Request.Method != RequestMethod.Head
        && message.Request.Uri.Path.EndsWith(pathEnd, StringComparison.Ordinal);
}
