using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Containment.Tests.Clusters;

/// <summary>
/// Answers like ARM for AKS managed clusters (shapes of the ContainerService 2025-10-01 examples),
/// on HTTPS loopback with a self-signed certificate because Azure.Core sends bearer tokens only over TLS.
/// </summary>
internal sealed class FakeArmServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, (string? NetworkPolicy, string KubeconfigServer)> clusters = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (int Status, string Code)> refusals = new(StringComparer.OrdinalIgnoreCase);

    private FakeArmServer(WebApplication app, X509Certificate2 certificate)
    {
        this.app = app;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<(string Method, string PathAndQuery, string Authorization)> Requests { get; } = new();

    public static async Task<FakeArmServer> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var server = new FakeArmServer(app, certificate);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address);
        return server;
    }

    public void AddCluster(string resourceId, string? networkPolicy, Uri kubeApiServer) =>
        clusters[resourceId] = (networkPolicy, kubeApiServer.ToString().TrimEnd('/'));

    /// <summary>Answers every request whose path ends so with the status and an ARM error body of the code, until <see cref="Allow"/>.</summary>
    public void Refuse(string pathSuffix, int status, string code) => refusals[pathSuffix] = (status, code);

    public void Allow(string pathSuffix) => refusals.TryRemove(pathSuffix, out _);

    public int Count(string method, string pathSuffix) =>
        Requests.Count(r => r.Method == method && r.PathAndQuery.Split('?')[0].EndsWith(pathSuffix, StringComparison.OrdinalIgnoreCase));

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        Requests.Enqueue((request.Method, request.Path + request.QueryString, request.Headers.Authorization.ToString()));
        var path = request.Path.Value!;
        if (refusals.FirstOrDefault(refusal => path.EndsWith(refusal.Key, StringComparison.OrdinalIgnoreCase)).Value is { Status: > 0 } refused)
        {
            context.Response.StatusCode = refused.Status;
            await context.Response.WriteAsJsonAsync(new { error = new { code = refused.Code, message = $"The request to '{path}' was refused ({refused.Code})." } });
            return;
        }

        var listCredential = path.EndsWith("/listClusterUserCredential", StringComparison.OrdinalIgnoreCase);
        var resourceId = listCredential ? path[..path.LastIndexOf('/')] : path;
        if (request.Query["api-version"] != "2025-10-01" || !clusters.TryGetValue(resourceId, out var cluster))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(new { error = new { code = "ResourceNotFound", message = $"The Resource '{resourceId}' was not found." } });
            return;
        }

        var name = resourceId[(resourceId.LastIndexOf('/') + 1)..];
        JsonObject body = listCredential && HttpMethods.IsPost(request.Method)
            ? new JsonObject
            {
                ["kubeconfigs"] = new JsonArray(new JsonObject
                {
                    ["name"] = "clusterUser",
                    ["value"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(EntraKubeconfig(name, cluster.KubeconfigServer))),
                }),
            }
            : ManagedCluster(resourceId, name, cluster.NetworkPolicy);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static JsonObject ManagedCluster(string id, string name, string? networkPolicy)
    {
        var network = new JsonObject
        {
            ["networkPlugin"] = "azure",
            ["networkPluginMode"] = "overlay",
            ["podCidr"] = "10.244.0.0/16",
            ["serviceCidr"] = "10.0.0.0/16",
            ["dnsServiceIP"] = "10.0.0.10",
            ["loadBalancerSku"] = "standard",
            ["outboundType"] = "loadBalancer",
        };
        if (networkPolicy is not null)
        {
            network["networkPolicy"] = networkPolicy;
        }

        return new JsonObject
        {
            ["id"] = id,
            ["location"] = "westeurope",
            ["name"] = name,
            ["type"] = "Microsoft.ContainerService/ManagedClusters",
            ["properties"] = new JsonObject
            {
                ["provisioningState"] = "Succeeded",
                ["powerState"] = new JsonObject { ["code"] = "Running" },
                ["kubernetesVersion"] = "1.33.2",
                ["dnsPrefix"] = name,
                ["fqdn"] = $"{name}-dns-4xq2.hcp.westeurope.azmk8s.io",
                ["azurePortalFQDN"] = $"{name}-dns-4xq2.portal.hcp.westeurope.azmk8s.io",
                ["enableRBAC"] = true,
                ["aadProfile"] = new JsonObject { ["managed"] = true, ["enableAzureRBAC"] = true, ["tenantID"] = "00000000-0000-0000-0000-000000000001" },
                ["disableLocalAccounts"] = true,
                ["networkProfile"] = network,
            },
        };
    }

    // What AKS returns for an Entra cluster: an exec user that would run kubelogin.
    private static string EntraKubeconfig(string name, string server) => $"""
        apiVersion: v1
        clusters:
        - cluster:
            server: {server}
          name: {name}
        contexts:
        - context:
            cluster: {name}
            user: clusterUser_rg1_{name}
          name: {name}
        current-context: {name}
        kind: Config
        preferences: {"{}"}
        users:
        - name: clusterUser_rg1_{name}
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              args:
              - get-token
              - --environment
              - AzurePublicCloud
              - --server-id
              - 6dae42f8-4368-4678-94ff-3960e28e3630
              - --client-id
              - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
              - --tenant-id
              - 00000000-0000-0000-0000-000000000001
              - --login
              - devicecode
              command: kubelogin
              env: null
              installHint: kubelogin is not installed
              interactiveMode: IfAvailable
              provideClusterInfo: false
        """;

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
