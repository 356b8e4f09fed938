using System.Security.Cryptography;
using System.Text;

namespace Containment.Approvals;

/// <summary>The pages' only stylesheet, inline; the Content-Security-Policy allows exactly this text by its hash.</summary>
public static class ApprovalPageStyle
{
    public const string Css =
        "body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;background:#f5f5f5;color:#1b1b1b;margin:0}" +
        "main{max-width:40rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002}" +
        "h1{font-size:1.4rem;margin-top:0}table{border-collapse:collapse;margin:1rem 0}" +
        "th{text-align:left;padding:.2rem 1rem .2rem 0;vertical-align:top;color:#555}td{padding:.2rem 0;word-break:break-all}" +
        "label{display:block;margin-top:1rem;font-weight:600}input,textarea{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}" +
        ".hint{color:#666;font-size:.85rem}.notice{background:#fde7e9;padding:.75rem;border-radius:4px}" +
        ".buttons{margin-top:1rem;display:flex;gap:.75rem}button{padding:.6rem 1.4rem;border:0;border-radius:4px;color:#fff;font:inherit;cursor:pointer}" +
        ".approve{background:#107c10}.reject{background:#a4262c}";

    /// <summary>The CSP source for <see cref="Css"/>: <c>'sha256-&lt;base64&gt;'</c>.</summary>
    public static string CspSource { get; } = $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Css)))}'";
}
