using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Containment.Api;

/// <summary>Checks the function key the way Azure Functions takes it: the <c>x-functions-key</c> header or the <c>code</c> query value.</summary>
public sealed class ApiKeyCheck(IOptions<ApiOptions> options)
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";

    private readonly byte[] expected = Encoding.UTF8.GetBytes(options.Value.Key);

    public bool IsAuthorized(ApiRequest request)
    {
        var given = request.Header(HeaderName) ?? request.QueryValue(QueryName);
        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected);
    }

    public static ApiResponse Unauthorized { get; } =
        ApiResponse.Error(401, $"a valid key is required: send it in the {HeaderName} header or the {QueryName} query value");
}
