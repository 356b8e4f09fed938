using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeSim;

/// <summary>A small Kubernetes API server for tests and the demo, on loopback. Not an enforcement engine.</summary>
public sealed class KubeSimServer : IAsyncDisposable
{
    /// <summary>The token of the kubeconfig <see cref="WriteKubeconfigAsync(string, CancellationToken)"/> writes: a member of system:masters.</summary>
    public const string AdminToken = "kubesim";

    private const string AdminPrefix = "/_kubesim";
    private readonly WebApplication app;
    private readonly TokenAuthenticator users = new(AdminToken, "kubesim-admin");
    private readonly X509Certificate2? certificate;

    private KubeSimServer(WebApplication app, ObjectStore store, KubeSimOptions options, X509Certificate2? certificate)
    {
        this.app = app;
        Store = store;
        Options = options;
        this.certificate = certificate;
    }

    /// <summary>Plain http: HttpClient and KubernetesClient send a bearer token over it.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>
    /// With <see cref="KubeSimOptions.Rbac"/>, the same API over TLS on a second loopback port (null otherwise): kubectl
    /// sends credentials only over TLS, so the kubeconfigs KubeSim writes point here and trust its certificate.
    /// </summary>
    public Uri? TlsUrl { get; private set; }

    public KubeSimOptions Options { get; }

    public ObjectStore Store { get; }

    public FaultInjector Faults { get; } = new();

    public RequestCounter Requests { get; } = new();

    public static async Task<KubeSimServer> StartAsync(KubeSimOptions options, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = options.Rbac ? LoopbackCertificate.Create() : null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            if (certificate is not null)
            {
                k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
            }
        });
        var app = builder.Build();
        var store = new ObjectStore(options.TimeProvider);
        var server = new KubeSimServer(app, store, options, certificate);
        var api = new KubeApi(store, ResourceCatalog.Served(options.Cilium), () => server.BaseUrl.Authority);
        var authorizer = options.Rbac ? new RbacAuthorizer(store) : null;
        var gate = authorizer is null ? null : new RbacGate(server.users, authorizer);

        // After faults (which stand for the network and the server misbehaving before anything) and before the API.
        var reviews = new AccessReviews(authorizer);
        async Task HandleKubeAsync(HttpContext context)
        {
            KubeUser? user = null;
            if (gate is not null && (user = await gate.AdmitAsync(context)) is null)
            {
                return;
            }

            await (AccessReviews.Matches(context.Request) ? reviews.HandleAsync(context, user) : api.HandleAsync(context));
        }

        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            if (path.StartsWith(AdminPrefix, StringComparison.Ordinal))
            {
                await server.HandleAdminAsync(context, path[AdminPrefix.Length..]);
                return;
            }

            server.Requests.Record(context.Request.Method, path, context.Request.Headers.Authorization.ToString());
            if (server.Faults.Take(context.Request.Method, path) is { } fault)
            {
                if (fault.DelayResponse)
                {
                    await HandleThenDelayAsync(HandleKubeAsync, server.Requests, context, path, fault, options.TimeProvider);
                    return;
                }

                await HoldAsync(fault, options.TimeProvider, context.RequestAborted);

                if (fault.ResetConnection)
                {
                    context.Abort();
                    return;
                }

                if (fault.StatusCode != 0)
                {
                    await WriteFaultAsync(context, fault);
                    return;
                }
            }

            await HandleKubeAsync(context);
            server.Requests.RecordAnswer(context.Request.Method, path, context.Response.StatusCode);
        });

        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(address => new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)))
            .ToList();
        server.BaseUrl = addresses.First(address => address.Scheme == Uri.UriSchemeHttp);
        server.TlsUrl = addresses.FirstOrDefault(address => address.Scheme == Uri.UriSchemeHttps);

        var seed = options.SeedFile is { } file ? await File.ReadAllTextAsync(file, cancellationToken) : options.Seed;
        if (seed is not null)
        {
            await server.SeedAsync(seed, cancellationToken);
        }

        return server;
    }

    /// <summary>Adds the objects of a Kubernetes <c>List</c> (JSON or YAML); namespaces they use are created.</summary>
    public async Task SeedAsync(string listJsonOrYaml, CancellationToken cancellationToken)
    {
        var kinds = ResourceCatalog.Served(Options.Cilium);
        var seededUids = new SeededUids();
        foreach (var item in SeedLoader.Parse(listJsonOrYaml))
        {
            var apiVersion = item["apiVersion"]?.GetValue<string>() ?? "v1";
            var kindName = item["kind"]?.GetValue<string>();
            var kind = kinds.FirstOrDefault(k => k.GroupVersion == apiVersion && k.Kind == kindName)
                ?? throw new InvalidOperationException($"KubeSim does not serve {apiVersion} {kindName}");
            var ns = kind.Namespaced ? item["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
            if (ns is not null)
            {
                await EnsureNamespaceAsync(ns, cancellationToken);
            }

            string? seededUid = null;
            if (item["metadata"] is JsonObject metadata)
            {
                // A seed taken from a live cluster carries server fields the simulator assigns itself; its owner
                // references name their owners by the uids the seed gave, which are given anew.
                metadata.Remove("resourceVersion");
                seededUid = (string?)metadata["uid"];
                metadata.Remove("uid");
                seededUids.Relink(metadata, ns);
            }

            if (kind == ResourceCatalog.Namespaces && await Store.GetAsync(kind, null, item["metadata"]!["name"]!.GetValue<string>(), cancellationToken) is not null)
            {
                continue;
            }

            var created = await Store.SeedAsync(kind, ns, item, cancellationToken);
            seededUids.Add(kind.Kind, ns, created, seededUid);
        }
    }

    /// <summary>
    /// Maps a bearer token to a user and its groups (every user is in system:authenticated too), for
    /// <see cref="KubeSimOptions.Rbac"/>: what the user may do is what RBAC bindings grant it. A token added again
    /// stands for the new user.
    /// </summary>
    /// <exception cref="ArgumentException">The token is empty, holds whitespace, or is <see cref="AdminToken"/>; the user name is empty.</exception>
    public void AddUser(string token, string userName, params string[] groups) => users.Add(token, userName, groups);

    /// <summary>
    /// Writes a kubeconfig with <see cref="AdminToken"/> whose current context is this server: <see cref="BaseUrl"/>,
    /// or with <see cref="KubeSimOptions.Rbac"/> <see cref="TlsUrl"/> and the certificate to trust.
    /// </summary>
    public Task WriteKubeconfigAsync(string path, CancellationToken cancellationToken = default) =>
        WriteKubeconfigAsync(path, AdminToken, cancellationToken);

    /// <summary>A kubeconfig as <see cref="WriteKubeconfigAsync(string, CancellationToken)"/> writes, with another bearer token (one given to <see cref="AddUser"/>).</summary>
    public Task WriteKubeconfigAsync(string path, string token, CancellationToken cancellationToken = default) =>
        WriteKubeconfigAsync(path, TlsUrl ?? BaseUrl, token, certificate, cancellationToken);

    /// <summary>A kubeconfig with <see cref="AdminToken"/> for a KubeSim reached over plain http at <paramref name="server"/> (a relay in front of it).</summary>
    public static Task WriteKubeconfigAsync(string path, Uri server, CancellationToken cancellationToken = default) =>
        WriteKubeconfigAsync(path, server, AdminToken, null, cancellationToken);

    private static async Task WriteKubeconfigAsync(string path, Uri server, string token, X509Certificate2? authority, CancellationToken cancellationToken)
    {
        var cluster = new JsonObject { ["server"] = server.ToString().TrimEnd('/') };
        if (authority is not null)
        {
            cluster["certificate-authority-data"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(authority.ExportCertificatePem()));
        }

        var kubeconfig = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject { ["name"] = "kubesim", ["cluster"] = cluster }),
            ["users"] = new JsonArray(new JsonObject { ["name"] = "kubesim", ["user"] = new JsonObject { ["token"] = token } }),
            ["contexts"] = new JsonArray(new JsonObject { ["name"] = "kubesim", ["context"] = new JsonObject { ["cluster"] = "kubesim", ["user"] = "kubesim", ["namespace"] = "default" } }),
            ["current-context"] = "kubesim",
        };
        await File.WriteAllTextAsync(path, kubeconfig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        certificate?.Dispose();
    }

    private async Task EnsureNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        if (await Store.GetAsync(ResourceCatalog.Namespaces, null, ns, cancellationToken) is null)
        {
            await Store.CreateAsync(ResourceCatalog.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, cancellationToken);
        }
    }

    private static async Task HoldAsync(FaultRule fault, TimeProvider time, CancellationToken aborted)
    {
        if (fault.Delay > TimeSpan.Zero)
        {
            await Task.Delay(fault.Delay, time, aborted);
        }

        if (fault.Until is { } until)
        {
            await until.WaitAsync(aborted);
        }
    }

    // The change is applied and its answer held back: a client that gives up meanwhile never learns it succeeded.
    private static async Task HandleThenDelayAsync(Func<HttpContext, Task> handle, RequestCounter requests, HttpContext context, string path, FaultRule fault, TimeProvider time)
    {
        var body = context.Response.Body;
        using var held = new MemoryStream();
        context.Response.Body = held;
        try
        {
            await handle(context);
            requests.RecordAnswer(context.Request.Method, path, context.Response.StatusCode);
        }
        finally
        {
            context.Response.Body = body;
        }

        await HoldAsync(fault, time, context.RequestAborted);
        held.Position = 0;
        await held.CopyToAsync(body, context.RequestAborted);
    }

    private static async Task WriteFaultAsync(HttpContext context, FaultRule fault)
    {
        if (fault.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var reason = fault.StatusCode switch
        {
            403 => "Forbidden",
            429 => "TooManyRequests",
            504 => "Timeout",
            _ => "InternalError",
        };
        await KubeApi.WriteAsync(context.Response, fault.StatusCode, KubeStatus.Failure(fault.StatusCode, reason, $"injected fault: {reason}"), context.RequestAborted);
    }

    // Admin endpoints are not counted, so tests count only Kubernetes requests.
    private async Task HandleAdminAsync(HttpContext context, string path)
    {
        if (path == "/requests" && HttpMethods.IsGet(context.Request.Method))
        {
            await KubeApi.WriteAsync(context.Response, 200, JsonSerializer.SerializeToNode(Requests.Snapshot())!, context.RequestAborted);
            return;
        }

        if (path == "/requests" && HttpMethods.IsDelete(context.Request.Method))
        {
            Requests.Reset();
            context.Response.StatusCode = 204;
            return;
        }

        if (path != "/faults")
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (HttpMethods.IsDelete(context.Request.Method))
        {
            Faults.Clear();
            context.Response.StatusCode = 204;
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method))
        {
            var rules = new JsonArray(Faults.Snapshot().Select(pair => (JsonNode)new JsonObject
            {
                ["rule"] = JsonSerializer.SerializeToNode(pair.Rule, JsonSerializerOptions.Web),
                ["fired"] = pair.Fired,
            }).ToArray());
            await KubeApi.WriteAsync(context.Response, 200, rules, context.RequestAborted);
            return;
        }

        try
        {
            var request = await JsonSerializer.DeserializeAsync<FaultRequest>(context.Request.Body, JsonSerializerOptions.Web, context.RequestAborted)
                ?? throw new JsonException("the fault body is null");
            Faults.Add(new FaultRule
            {
                Method = request.Method,
                PathPrefix = request.PathPrefix,
                StatusCode = request.StatusCode,
                RetryAfterSeconds = request.RetryAfterSeconds,
                Delay = TimeSpan.FromMilliseconds(request.DelayMilliseconds),
                DelayResponse = request.DelayResponse,
                ResetConnection = request.ResetConnection,
                Count = request.Count,
                Probability = request.Probability,
                Seed = request.Seed,
            });
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            await KubeApi.WriteAsync(context.Response, 400, KubeStatus.Failure(400, "BadRequest", e.Message), context.RequestAborted);
            return;
        }

        context.Response.StatusCode = 204;
    }

    private sealed record FaultRequest(
        string Method, string PathPrefix, int StatusCode, int? RetryAfterSeconds, int DelayMilliseconds, bool DelayResponse = false, bool ResetConnection = false, int Count = 1, double? Probability = null, int Seed = 0);
}
