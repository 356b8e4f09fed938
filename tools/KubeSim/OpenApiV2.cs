using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KubeSim;

/// <summary>
/// <c>/openapi/v2</c> with no schemas. kubectl's client-side apply reads it (as protobuf) before it validates a file;
/// without it apply fails, and finding no schema for a kind it skips validation and patches with the strategies
/// compiled into it, as it does for any type a cluster publishes no schema for.
/// </summary>
internal static class OpenApiV2
{
    private const string Title = "KubeSim";
    private const string Version = "v1.33.0";
    private const string ProtobufType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    // gnostic's openapi_v2.Document: swagger (field 1) and info (field 2: title 1, version 2), each length-delimited.
    private static readonly byte[] Protobuf = Field(1, Encoding.UTF8.GetBytes("2.0"))
        .Concat(Field(2, [.. Field(1, Encoding.UTF8.GetBytes(Title)), .. Field(2, Encoding.UTF8.GetBytes(Version))]))
        .ToArray();

    public static bool Serves(string method, string[] segments) => HttpMethods.IsGet(method) && segments is ["openapi", "v2"];

    public static async Task WriteAsync(HttpContext context)
    {
        if (context.Request.Headers.Accept.ToString().Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.ContentType = ProtobufType;
            await context.Response.Body.WriteAsync(Protobuf, context.RequestAborted);
            return;
        }

        var document = new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = Title, ["version"] = Version },
            ["paths"] = new JsonObject(),
            ["definitions"] = new JsonObject(),
        };
        await KubeApi.WriteAsync(context.Response, 200, document, context.RequestAborted);
    }

    // Short fields only: a length under 128 is one varint byte.
    private static byte[] Field(int number, byte[] value) => [(byte)((number << 3) | 2), (byte)value.Length, .. value];
}
