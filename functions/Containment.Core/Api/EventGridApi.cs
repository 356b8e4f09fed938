using Containment.Alerts;

namespace Containment.Api;

/// <summary>
/// <c>/api/eventgrid</c>: the Event Grid webhook in either schema. Answers the subscription validation
/// handshake and the CloudEvents abuse-protection OPTIONS handshake, and answers 200 only once every
/// event of the delivery is stored and its run started or joined (Event Grid retries anything else).
/// </summary>
public sealed class EventGridApi(AlertIntake intake, AlertsApi alerts)
{
    public const string Receiver = "/api/eventgrid";

    public static ApiResponse Options(ApiRequest request)
    {
        var origin = request.Header("WebHook-Request-Origin");
        if (string.IsNullOrWhiteSpace(origin))
        {
            return ApiResponse.Error(400, "the CloudEvents handshake needs a WebHook-Request-Origin header");
        }

        return new ApiResponse
        {
            Status = 200,
            Headers = new Dictionary<string, string>
            {
                ["WebHook-Allowed-Origin"] = origin,
                ["WebHook-Allowed-Rate"] = "*",
                ["Allow"] = "POST, OPTIONS",
            },
        };
    }

    public async Task<ApiResponse> PostAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        if (!request.BodyTooLarge && ApiBody.IsJson(request.ContentType)
            && intake.Read(request.Body, request.ContentType, request.Headers).Validation is { } validation)
        {
            return ApiResponse.Json(200, new { ValidationResponse = validation.ValidationCode });
        }

        var (entries, error) = await alerts.AdmitAsync(request, Receiver, cancellationToken);
        return error ?? ApiResponse.Json(200, new { Alerts = entries });
    }
}
