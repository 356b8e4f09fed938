#pragma warning disable
// The public signatures the Functions app uses, as declared by Azure/azure-functions-dotnet-worker 2.0.0 (unchanged
// in 2.50.0), http-extension-3.3.0, EventGrid extension 3.5.0, Timer extension 4.3.1 and the Durable Task worker extension. Declarations
// only: bodies are placeholders, nothing here runs.
using System.Collections.Specialized;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Azure.Core.Serialization;

namespace Microsoft.Azure.Functions.Worker
{
    [AttributeUsage(AttributeTargets.Method)]
    public class FunctionAttribute : Attribute
    {
        public FunctionAttribute(string name) { Name = name; }
        public string Name { get; }
    }

    public abstract class FunctionContext
    {
        public abstract string InvocationId { get; }
        public abstract string FunctionId { get; }
        public abstract BindingContext BindingContext { get; }
        public abstract FunctionDefinition FunctionDefinition { get; }
        public abstract IServiceProvider InstanceServices { get; set; }
        public abstract IDictionary<object, object> Items { get; set; }
        public virtual CancellationToken CancellationToken { get; } = CancellationToken.None;
    }

    public abstract class FunctionDefinition
    {
        public abstract string Id { get; }
        public abstract string Name { get; }
    }

    public abstract class BindingContext
    {
        public abstract IReadOnlyDictionary<string, object?> BindingData { get; }
    }

    public class WorkerOptions
    {
        public ObjectSerializer? Serializer { get; set; }
        public IDictionary<string, string> Capabilities { get; } = new Dictionary<string, string>();
        public bool IncludeEmptyEntriesInMessagePayload { get; set; }
    }

    public abstract class TriggerBindingAttribute : Attribute { }
    public abstract class InputBindingAttribute : Attribute { }

    public enum AuthorizationLevel { Anonymous = 0, User = 1, Function = 2, System = 3, Admin = 4 }

    public sealed class HttpTriggerAttribute : TriggerBindingAttribute
    {
        public HttpTriggerAttribute() { }
        public HttpTriggerAttribute(params string[] methods) { Methods = methods; }
        public HttpTriggerAttribute(AuthorizationLevel authLevel) { AuthLevel = authLevel; }
        public HttpTriggerAttribute(AuthorizationLevel authLevel, params string[] methods) { AuthLevel = authLevel; Methods = methods; }
        public string? Route { get; set; }
        public string[]? Methods { get; private set; }
        public AuthorizationLevel AuthLevel { get; private set; }
    }

    // Timer extension 4.3.1.
    public sealed class TimerTriggerAttribute : TriggerBindingAttribute
    {
        public TimerTriggerAttribute(string schedule) { Schedule = schedule; }
        public string Schedule { get; private set; }
        public bool UseMonitor { get; set; }
        public bool RunOnStartup { get; set; }
    }

    public class TimerInfo
    {
        public ScheduleStatus? ScheduleStatus { get; set; }
        public bool IsPastDue { get; set; }
    }

    public class ScheduleStatus
    {
        public DateTime Last { get; set; }
        public DateTime Next { get; set; }
        public DateTime LastUpdated { get; set; }
    }

    public sealed class EventGridTriggerAttribute : TriggerBindingAttribute
    {
        public bool IsBatched { get; set; }
    }

    public sealed class DurableClientAttribute : InputBindingAttribute
    {
        public string? TaskHub { get; set; }
        public string? ConnectionName { get; set; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class OrchestrationTriggerAttribute : TriggerBindingAttribute
    {
        public string? Orchestration { get; set; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class ActivityTriggerAttribute : TriggerBindingAttribute
    {
        public string? Activity { get; set; }
    }
}

namespace Microsoft.Azure.Functions.Worker.Http
{
    public class HttpHeadersCollection : HttpHeaders
    {
        public HttpHeadersCollection() { }
    }

    public interface IHttpCookie { }
    public sealed class HttpCookies { }

    public abstract class HttpRequestData
    {
        public HttpRequestData(FunctionContext functionContext) { FunctionContext = functionContext; }
        public abstract Stream Body { get; }
        public abstract HttpHeadersCollection Headers { get; }
        public abstract IReadOnlyCollection<IHttpCookie> Cookies { get; }
        public abstract Uri Url { get; }
        public abstract IEnumerable<ClaimsIdentity> Identities { get; }
        public abstract string Method { get; }
        public FunctionContext FunctionContext { get; }
        public abstract HttpResponseData CreateResponse();
        public virtual NameValueCollection Query => throw null!;
    }

    public abstract class HttpResponseData
    {
        public HttpResponseData(FunctionContext functionContext) { FunctionContext = functionContext; }
        public abstract HttpStatusCode StatusCode { get; set; }
        public abstract HttpHeadersCollection Headers { get; set; }
        public abstract Stream Body { get; set; }
        public abstract HttpCookies Cookies { get; }
        public FunctionContext FunctionContext { get; }
    }

    public static class HttpRequestDataExtensions
    {
        public static Task<string?> ReadAsStringAsync(this HttpRequestData request, Encoding? encoding = null) => throw null!;
        public static HttpResponseData CreateResponse(this HttpRequestData request, HttpStatusCode statusCode) => throw null!;
    }

    public static class HttpResponseDataExtensions
    {
        public static Task WriteStringAsync(this HttpResponseData response, string value, Encoding? encoding = null) => throw null!;
        public static Task WriteStringAsync(this HttpResponseData response, string value, CancellationToken cancellationToken, Encoding? encoding = null) => throw null!;
        public static Task WriteBytesAsync(this HttpResponseData response, byte[] value) => throw null!;
        public static Task WriteBytesAsync(this HttpResponseData response, byte[] value, CancellationToken cancellationToken) => throw null!;
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class WorkerHostBuilderExtensions
    {
        public static IHostBuilder ConfigureFunctionsWorkerDefaults(this IHostBuilder builder) => builder;
        public static IHostBuilder ConfigureFunctionsWorkerDefaults(this IHostBuilder builder, Action<Microsoft.Azure.Functions.Worker.WorkerOptions> configureOptions) => builder;
    }
}
