using System.ComponentModel.DataAnnotations;

namespace Containment.Api;

/// <summary>Settings under <c>Containment:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "Containment:Api";

    /// <summary>The key every route but the approval pages requires, as <c>x-functions-key</c> or <c>?code=</c>.</summary>
    /// <remarks>Required by the local host; in Azure the Functions host checks its own keys.</remarks>
    public string Key { get; set; } = string.Empty;

    /// <summary>Alerts and Event Grid deliveries larger than this are refused with 413 (Event Grid's own limit is 1 MB).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Take the <c>X-MS-CLIENT-PRINCIPAL-*</c> headers as the caller's identity. Only true behind a proxy
    /// that authenticates and sets them itself (App Service Authentication does, and strips what clients
    /// send); otherwise anyone could claim to be an approver, so the local host drops them.
    /// </summary>
    public bool TrustPrincipalHeaders { get; set; }
}
