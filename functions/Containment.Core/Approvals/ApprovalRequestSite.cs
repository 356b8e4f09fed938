using Containment.Api;

namespace Containment.Approvals;

/// <summary>
/// Whether a decision was posted by another site. A signed-in approver's browser sends its session with a form any site
/// posts to the link, and the decision would be taken in that approver's name. Browsers say where a request comes from:
/// <c>Sec-Fetch-Site</c>, and <c>Origin</c> (<c>null</c> from the approval page itself, whose referrer policy is
/// no-referrer). A client that is no browser sends neither, and carries no approver's session.
/// </summary>
public static class ApprovalRequestSite
{
    public static bool IsCrossSite(ApiRequest request)
    {
        if (request.Header("Sec-Fetch-Site") is { } site && site is not ("same-origin" or "none"))
        {
            return true;
        }

        // The host alone: behind the platform's TLS ending, the scheme and port the app sees may differ from the browser's.
        return request.Header("Origin") is { } origin && origin != "null"
            && !(Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Host, request.BaseUri.Host, StringComparison.OrdinalIgnoreCase));
    }
}
