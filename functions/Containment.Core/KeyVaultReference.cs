namespace Containment;

/// <summary>
/// An App Service Key Vault reference the platform could not resolve: the setting then holds the reference text itself
/// (the app's identity may not read the secret, the secret does not exist yet, the role has not propagated). For a key
/// that text is no secret: it names the vault and the secret, so it is refused rather than used.
/// </summary>
public static class KeyVaultReference
{
    private const string Prefix = "@Microsoft.KeyVault(";

    /// <summary>The problem to report for a setting that still holds its reference; null for any other value.</summary>
    public static string? Unresolved(string setting, string? value) =>
        value is not null && value.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            ? $"{setting} holds a Key Vault reference the platform did not resolve (the secret is missing, or the app's identity may not read it); its text is not used as a key"
            : null;
}
