namespace Containment.Approvals;

/// <summary>Headers on every approval page: never cached, never framed, no referrer, nothing loaded from anywhere.</summary>
public static class ApprovalPageHeaders
{
    /// <summary>Nothing may load or run; the one inline stylesheet is allowed by its hash; forms post only to this origin.</summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src {ApprovalPageStyle.CspSource}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Cache-Control"] = "no-store",
        ["Pragma"] = "no-cache",
        ["X-Frame-Options"] = "DENY",
        ["Content-Security-Policy"] = ContentSecurityPolicy,
        ["Referrer-Policy"] = "no-referrer",
        ["X-Content-Type-Options"] = "nosniff",
    };
}
