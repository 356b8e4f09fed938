using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Containment.Notifications.Channels;

/// <summary>
/// Signs generic webhook bodies. Headers: <c>X-Containment-Timestamp: &lt;unix seconds&gt;</c> and
/// <c>X-Containment-Signature: sha256=&lt;lowercase hex&gt;</c>, the HMAC-SHA256 with the channel's secret over the
/// ASCII timestamp, a dot, then the exact body bytes. A receiver recomputes it, compares in constant time, and
/// refuses timestamps more than a few minutes from its clock, so a captured request cannot be replayed later.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Containment-Signature";
    public const string TimestampHeader = "X-Containment-Timestamp";
    public const string Prefix = "sha256=";

    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var signed = new byte[Encoding.ASCII.GetByteCount(timestamp) + 1 + body.Length];
        var written = Encoding.ASCII.GetBytes(timestamp, signed);
        signed[written] = (byte)'.';
        body.CopyTo(signed.AsSpan(written + 1));
        return Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>What a receiver does: recompute and compare in constant time; the caller checks the timestamp's age.</summary>
    public static bool Verify(string secret, string timestamp, ReadOnlySpan<byte> body, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
}
