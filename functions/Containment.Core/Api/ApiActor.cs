namespace Containment.Api;

/// <summary>Who is calling, for the audit trail: the App Service Authentication (Easy Auth) principal when present.</summary>
public static class ApiActor
{
    public const string PrincipalNameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";

    /// <summary>Calls made with the shared API key and no signed-in principal.</summary>
    public const string KeyHolder = "api-key";

    public static string Of(ApiRequest request) =>
        request.Header(PrincipalNameHeader) is { Length: > 0 } name ? name : KeyHolder;
}
