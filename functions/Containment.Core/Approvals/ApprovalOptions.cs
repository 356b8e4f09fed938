using System.Text;

namespace Containment.Approvals;

/// <summary>Settings under <c>Containment:Approvals</c>.</summary>
public sealed class ApprovalOptions
{
    public const string Section = "Containment:Approvals";

    public const int MinimumKeyBytes = 32;

    /// <summary>The HMAC-SHA256 key of approval links: base64 of at least 32 bytes, or text of at least 32 bytes.</summary>
    public string SigningKey { get; set; } = string.Empty;

    /// <summary>The key before a rotation: links it signed stay valid until they expire. Same format.</summary>
    public string? PreviousSigningKey { get; set; }

    /// <summary>The public address approval links start with (<c>https://containment.example.com</c>).</summary>
    public Uri? BaseUrl { get; set; }

    public IEnumerable<string> Validate()
    {
        foreach (var (name, value) in new[] { (nameof(SigningKey), SigningKey), (nameof(PreviousSigningKey), PreviousSigningKey) })
        {
            if (KeyVaultReference.Unresolved($"{Section}:{name}", value) is { } unresolved)
            {
                yield return unresolved;
                yield break;
            }
        }

        if (string.IsNullOrWhiteSpace(SigningKey))
        {
            yield return $"{Section}:{nameof(SigningKey)} is required (at least {MinimumKeyBytes} bytes, base64 or text)";
        }
        else if (KeyBytes(SigningKey).Length < MinimumKeyBytes)
        {
            yield return $"{Section}:{nameof(SigningKey)} must be at least {MinimumKeyBytes} bytes (base64 or text)";
        }

        if (!string.IsNullOrWhiteSpace(PreviousSigningKey) && KeyBytes(PreviousSigningKey).Length < MinimumKeyBytes)
        {
            yield return $"{Section}:{nameof(PreviousSigningKey)} must be at least {MinimumKeyBytes} bytes (base64 or text)";
        }

        if (BaseUrl is not null && !BaseUrl.IsAbsoluteUri)
        {
            yield return $"{Section}:{nameof(BaseUrl)} must be an absolute URL";
        }
    }

    /// <summary>Base64 that decodes to at least 32 bytes is used decoded; anything else is used as UTF-8 text.</summary>
    public static byte[] KeyBytes(string key)
    {
        var buffer = new byte[key.Length];
        return Convert.TryFromBase64String(key.Trim(), buffer, out var written) && written >= MinimumKeyBytes
            ? buffer[..written]
            : Encoding.UTF8.GetBytes(key);
    }
}
