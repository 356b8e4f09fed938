using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Containment.Tests.Support;

namespace Containment.Tests.EndToEnd;

/// <summary>What an end-to-end test does over HTTP: send alerts, follow runs, read the cluster and the chat.</summary>
internal sealed partial class FlowClient(LocalHostFixture host) : IDisposable
{
    private readonly HttpClient client = host.CreateClient();

    public HttpClient Http => client;

    /// <summary>A recorded payload made this test's own: the given replacements first, then every recorded pod becomes <paramref name="pod"/>, and the alert id is new.</summary>
    public static string Payload(string file, string pod, params (string From, string To)[] more)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Alerts", "Payloads", file));
        foreach (var (from, to) in more)
        {
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        foreach (var recorded in new[] { "checkout-6f9c7d8b54-q2xkz", "api-6b7c8d9f5-h2jkl", "cart-7c5b9d4f8-r8tvw" })
        {
            text = text.Replace(recorded, pod, StringComparison.Ordinal);
        }

        return text.Replace("2517538088322968242_6c1f0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "2517538088322968242_" + Guid.NewGuid(), StringComparison.Ordinal);
    }

    public async Task<(int Status, JsonObject Body)> PostAsync(string route, string json, string contentType = "application/json", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(route, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject());
    }

    public async Task<JsonObject> GetAsync(string route) => (await client.GetFromJsonAsync<JsonObject>(new Uri(route, UriKind.Relative)))!;

    /// <summary>Follows a run until <paramref name="done"/> holds; the host works in real time, so this waits, bounded.</summary>
    public async Task<JsonObject> RunUntilAsync(string instanceId, Func<JsonObject, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonObject? status = null;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync(new Uri($"api/runs/{Uri.EscapeDataString(instanceId)}", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                status = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                if (done(status))
                {
                    return status;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {instanceId} did not get there; last status: {status?.ToJsonString()}");
    }

    public static bool Waiting(JsonObject status) => (string?)status["phase"] == "waiting";

    public static bool Finished(JsonObject status) => (string?)status["phase"] == "finished";

    public async Task<JsonObject?> PodAsync(string pod)
    {
        using var raw = new HttpClient { BaseAddress = host.KubeSim.BaseUrl };
        using var response = await raw.GetAsync(new Uri($"api/v1/namespaces/{LocalHostFixture.Namespace}/pods/{pod}", UriKind.Relative));
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonObject>())! : null;
    }

    public async Task<IReadOnlyList<string>> PolicyNamesAsync()
    {
        using var raw = new HttpClient { BaseAddress = host.KubeSim.BaseUrl };
        var list = (await raw.GetFromJsonAsync<JsonObject>(new Uri($"apis/networking.k8s.io/v1/namespaces/{LocalHostFixture.Namespace}/networkpolicies", UriKind.Relative)))!;
        return list["items"]!.AsArray().Select(item => (string)item!["metadata"]!["name"]!).ToList();
    }

    /// <summary>The approval link sent to chat for <paramref name="pod"/>, as a person would find it.</summary>
    public Task<Uri> ApprovalLinkAsync(string pod) => ApprovalLinkSentAsync(pod, index: 0);

    /// <summary>The distinct approval links sent to chat for <paramref name="pod"/>, in the order sent: the one at <paramref name="index"/>.</summary>
    public async Task<Uri> ApprovalLinkSentAsync(string pod, int index)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var link = host.Channels.Requests
                .Select(request => Encoding.UTF8.GetString(request.Body))
                .Where(text => text.Contains(pod, StringComparison.Ordinal))
                .Select(text => ApprovalUrl().Match(text))
                .Where(match => match.Success)
                .Select(match => match.Value)
                .Distinct(StringComparer.Ordinal)
                .ElementAtOrDefault(index);
            if (link is not null)
            {
                return new Uri(link);
            }

            await Task.Yield();
        }

        throw new TimeoutException($"approval link {index} for {pod} did not reach a channel");
    }

    /// <summary>Releases by hand (ending any run still holding the pod) and checks the pod is as it was.</summary>
    public async Task ReleaseByHandAndCheckAsync(string isolationId, string pod, JsonObject before)
    {
        var release = await PostAsync($"api/isolations/{Uri.EscapeDataString(isolationId)}/release", """{ "reason": "investigated" }""");
        Assert.Equal(202, release.Status);
        await RunUntilAsync(isolationId, status => Finished(status) && (string?)status["playbook"] == "manual-release");
        var after = (await PodAsync(pod))!;
        Assert.Equal(before["metadata"]!["labels"]!.ToJsonString(), after["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal(before["metadata"]!["annotations"]!.ToJsonString(), after["metadata"]!["annotations"]!.ToJsonString());
        Assert.Equal("released", (string?)(await GetAsync($"api/isolations/{Uri.EscapeDataString(isolationId)}"))["isolation"]!["status"]);
    }

    public void Dispose() => client.Dispose();

    [System.Text.RegularExpressions.GeneratedRegex(@"http://127\.0\.0\.1:\d+/api/approvals/[A-Za-z0-9_\-\.]+")]
    private static partial System.Text.RegularExpressions.Regex ApprovalUrl();
}
