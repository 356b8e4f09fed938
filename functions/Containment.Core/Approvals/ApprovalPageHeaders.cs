namespace Containment.Approvals;

/// <summary>Headers on every approval page: never cached, never framed, no referrer, nothing loaded from anywhere.</summary>
public static class ApprovalPageHeaders
{
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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
