using System.Buffers;
using System.Text.Json;
using Containment.Api;
using Microsoft.AspNetCore.Http;

namespace Containment.Local.Hosting;

/// <summary>Turns an ASP.NET Core request into the host-neutral <see cref="ApiRequest"/>, and an <see cref="ApiResponse"/> back into HTTP.</summary>
internal static class HttpApiAdapter
{
    private const string PrincipalHeaderPrefix = "X-MS-CLIENT-PRINCIPAL";

    public static async Task<ApiRequest> ToApiRequestAsync(HttpContext context, int maxBodyBytes, bool trustPrincipalHeaders)
    {
        var request = context.Request;
        var (body, tooLarge) = await ReadBodyAsync(request, maxBodyBytes, context.RequestAborted);
        return new ApiRequest
        {
            Method = request.Method,
            BaseUri = new Uri($"{request.Scheme}://{request.Host}{request.PathBase}"),
            RouteValues = request.RouteValues.ToDictionary(pair => pair.Key, pair => pair.Value?.ToString() ?? string.Empty, StringComparer.OrdinalIgnoreCase),
            Query = request.Query.ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Headers = request.Headers
                .Where(pair => trustPrincipalHeaders || !pair.Key.StartsWith(PrincipalHeaderPrefix, StringComparison.OrdinalIgnoreCase))
                .ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            ContentType = request.ContentType,
            Body = body,
            BodyTooLarge = tooLarge,
            MaxBodyBytes = maxBodyBytes,
        };
    }

    public static async Task WriteAsync(HttpContext context, ApiResponse response)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (response.Text is not null)
        {
            context.Response.ContentType = response.ContentType;
            await context.Response.WriteAsync(response.Text, context.RequestAborted);
        }
        else if (response.Body is not null)
        {
            context.Response.ContentType = response.ContentType;
            await JsonSerializer.SerializeAsync(context.Response.Body, response.Body, response.Body.GetType(), ContainmentJson.Options, context.RequestAborted);
        }
    }

    private static async Task<(BinaryData Body, bool TooLarge)> ReadBodyAsync(HttpRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return (BinaryData.Empty, true);
        }

        // Read one byte past the limit to tell "exactly at the limit" from "over it" when the length is not declared.
        // A declared length sizes the buffer at once, and the chunk is pooled: a fresh 80 KB array per request
        // was most of what an alert storm gave the garbage collector.
        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBodyBytes)
                {
                    return (BinaryData.Empty, true);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (new BinaryData(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)), false);
    }
}
