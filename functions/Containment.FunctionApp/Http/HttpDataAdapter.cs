using System.Net;
using System.Text.Json;
using Containment.Api;
using Microsoft.Azure.Functions.Worker.Http;

namespace Containment.FunctionApp.Http;

/// <summary>Turns a Functions HTTP request into the host-neutral <see cref="ApiRequest"/>, and an <see cref="ApiResponse"/> back.</summary>
internal static class HttpDataAdapter
{
    private const string PrincipalHeaderPrefix = "X-MS-CLIENT-PRINCIPAL";

    public static async Task<ApiRequest> ToApiRequestAsync(HttpRequestData request, IReadOnlyDictionary<string, string> route, ApiOptions options, CancellationToken cancellationToken)
    {
        var maxBodyBytes = options.MaxBodyBytes;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        var tooLarge = false;
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBodyBytes)
            {
                tooLarge = true;
                break;
            }
        }

        // Without App Service Authentication in front (which strips them), a caller could claim any principal,
        // so the headers are dropped unless the settings say they are set by such a proxy, as on the local host.
        var headers = request.Headers
            .Where(header => options.TrustPrincipalHeaders || !header.Key.StartsWith(PrincipalHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(header => header.Key, header => string.Join(",", header.Value), StringComparer.OrdinalIgnoreCase);
        return new ApiRequest
        {
            Method = request.Method,
            BaseUri = new Uri(request.Url.GetLeftPart(UriPartial.Authority)),
            RouteValues = route,
            Query = request.Query.AllKeys.OfType<string>().ToDictionary(key => key, key => request.Query[key] ?? string.Empty, StringComparer.OrdinalIgnoreCase),
            Headers = headers,
            ContentType = headers.GetValueOrDefault("Content-Type"),
            Body = tooLarge ? BinaryData.Empty : new BinaryData(buffer.ToArray()),
            BodyTooLarge = tooLarge,
            MaxBodyBytes = maxBodyBytes,
        };
    }

    public static async Task<HttpResponseData> ToResponseAsync(HttpRequestData request, ApiResponse response)
    {
        var http = request.CreateResponse((HttpStatusCode)response.Status);
        // Sent as Core wrote them: HttpHeaders.Add would parse known headers, reformat some and throw on others.
        foreach (var (name, value) in response.Headers)
        {
            http.Headers.TryAddWithoutValidation(name, value);
        }

        if (response.Text is not null || response.Body is not null)
        {
            http.Headers.TryAddWithoutValidation("Content-Type", response.ContentType);
            var text = response.Text ?? JsonSerializer.Serialize(response.Body, response.Body!.GetType(), ContainmentJson.Options);
            await http.WriteStringAsync(text, System.Text.Encoding.UTF8);
        }

        return http;
    }
}
