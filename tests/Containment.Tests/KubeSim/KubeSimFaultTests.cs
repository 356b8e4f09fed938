using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using global::KubeSim;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.KubeSim;

/// <summary>KubeSim's fault injection: probabilistic faults, faults that apply the change and lose the answer, and the admin endpoint.</summary>
public sealed class KubeSimFaultTests
{
    private const string Nodes = "/api/v1/nodes";

    [Fact]
    public async Task Faults_Probability_FailsAboutThatShareAndStays()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        var rule = new FaultRule { Method = FaultRule.AnyMethod, PathPrefix = Nodes, StatusCode = 500, Probability = 0.3, Seed = 7 };
        sim.Faults.Add(rule);

        var statuses = await GetManyAsync(http, 300);

        var failed = statuses.Count(status => status == HttpStatusCode.InternalServerError);
        Assert.InRange(failed, 60, 120); // 90 expected; the seed makes it the same number every time
        Assert.Equal(300 - failed, statuses.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(failed, sim.Faults.Fired(rule));
        Assert.Same(rule, Assert.Single(sim.Faults.Snapshot()).Rule);
    }

    [Fact]
    public async Task Faults_ResetConnection_TransportErrorNothingApplied_NextRequestServed()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        var rule = new FaultRule { Method = "POST", PathPrefix = Nodes, ResetConnection = true };
        sim.Faults.Add(rule);

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(new Uri(Nodes, UriKind.Relative), Json("""{"metadata":{"name":"reset-node"}}""")));
        using var after = await http.GetAsync(new Uri($"{Nodes}/reset-node", UriKind.Relative));

        Assert.Equal(1, sim.Faults.Fired(rule));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Faults_SameSeed_SameRequestsFail()
    {
        var runs = new List<string>();
        for (var run = 0; run < 2; run++)
        {
            await using var sim = await KubeSimFixture.StartAsync();
            using var http = new HttpClient { BaseAddress = sim.BaseUrl };
            sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = Nodes, StatusCode = 429, RetryAfterSeconds = 1, Probability = 0.5, Seed = 1234 });
            runs.Add(string.Concat((await GetManyAsync(http, 64)).Select(status => status == HttpStatusCode.OK ? '.' : 'x')));
        }

        Assert.Contains("x", runs[0], StringComparison.Ordinal);
        Assert.Contains(".", runs[0], StringComparison.Ordinal);
        Assert.Equal(runs[0], runs[1]);
    }

    [Fact]
    public async Task Faults_SparedRequestGoesToNextRule()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        var never = new FaultRule { Method = "GET", PathPrefix = Nodes, StatusCode = 500, Probability = 0 };
        var always = new FaultRule { Method = "GET", PathPrefix = Nodes, StatusCode = 503, Probability = 1 };
        sim.Faults.Add(never);
        sim.Faults.Add(always);

        var statuses = await GetManyAsync(http, 5);
        var removed = sim.Faults.Remove(always);
        using var after = await http.GetAsync(new Uri(Nodes, UriKind.Relative));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        Assert.Equal(0, sim.Faults.Fired(never));
        Assert.Equal(5, sim.Faults.Fired(always));
        Assert.True(removed);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Faults_AdminEndpoint_ProbabilityRuleListedWithFiredCount()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        using var fault = Json("""{"method":"*","pathPrefix":"/api/v1/nodes","statusCode":500,"probability":1,"seed":3}""");

        using var added = await http.PostAsync(new Uri("/_kubesim/faults", UriKind.Relative), fault);
        var statuses = await GetManyAsync(http, 3);
        var listed = JsonNode.Parse(await http.GetStringAsync(new Uri("/_kubesim/faults", UriKind.Relative)))!.AsArray();

        Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.InternalServerError, status));
        var entry = Assert.Single(listed)!;
        Assert.Equal(3, entry["fired"]!.GetValue<int>());
        Assert.Equal(1.0, entry["rule"]!["probability"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("""{"method":"GET","pathPrefix":"/api","statusCode":500,"probability":1.5}""", "Probability")]
    [InlineData("""{"method":"GET","pathPrefix":"/api"}""", "status code, delays, holds or resets the connection")]
    [InlineData("""{"method":"GET","pathPrefix":"/api","statusCode":500,"resetConnection":true}""", "a reset connection carries no answer")]
    [InlineData("""{"method":"GET","pathPrefix":"/api","delayMilliseconds":100,"delayResponse":true,"resetConnection":true}""", "a reset connection carries no answer")]
    [InlineData("""{"pathPrefix":"/api","statusCode":500}""", "method")]
    [InlineData("""{"method":"GET","pathPrefix":"/api","statusCode":"five hundred"}""", "statusCode")]
    public async Task Faults_AdminEndpoint_BadRule_400AndNothingAdded(string body, string says)
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        using var fault = Json(body);

        using var response = await http.PostAsync(new Uri("/_kubesim/faults", UriKind.Relative), fault);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(says, status["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(sim.Faults.Snapshot());
    }

    [Fact]
    public async Task Faults_DelayResponse_ChangeAppliedBeforeTheAnswer()
    {
        var time = new FakeTimeProvider();
        await using var sim = await KubeSimFixture.StartAsync(timeProvider: time);
        sim.Faults.Add(new FaultRule { Method = "PATCH", PathPrefix = "/api/v1/namespaces/shop/pods", Delay = TimeSpan.FromSeconds(30), DelayResponse = true });
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        using var patch = new StringContent("""{"metadata":{"labels":{"seen":"yes"}}}""", Encoding.UTF8);
        patch.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");

        var pending = http.PatchAsync(new Uri("/api/v1/namespaces/shop/pods/web-7d9f-abcde", UriKind.Relative), patch);
        var applied = await PollAsync(async () => (await sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!["metadata"]!["labels"]!["seen"] is not null);
        var answeredEarly = pending.IsCompleted;
        while (!pending.IsCompleted && time.GetUtcNow() - time.Start < TimeSpan.FromMinutes(5))
        {
            // The held answer waits on the fake clock, whose timer may be set a moment after the change.
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System));
        }

        using var response = await pending;

        Assert.True(applied);
        Assert.False(answeredEarly);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("yes", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["metadata"]!["labels"]!["seen"]!.GetValue<string>());
    }

    [Fact]
    public async Task Faults_Until_HoldsTheRequestUncarriedOutUntilLetGo()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rule = new FaultRule { Method = "POST", PathPrefix = Nodes, Until = letGo.Task };
        sim.Faults.Add(rule);

        var pending = http.PostAsync(new Uri(Nodes, UriKind.Relative), Json("""{"metadata":{"name":"held-node"}}"""));
        var taken = await PollAsync(() => Task.FromResult(sim.Faults.Fired(rule) == 1));
        var storedWhileHeld = await sim.Store.GetAsync(ResourceCatalog.Nodes, null, "held-node", CancellationToken.None);
        var answeredWhileHeld = pending.IsCompleted;
        letGo.SetResult();
        using var response = await pending;

        Assert.True(taken);
        Assert.Null(storedWhileHeld);
        Assert.False(answeredWhileHeld);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.NotNull(await sim.Store.GetAsync(ResourceCatalog.Nodes, null, "held-node", CancellationToken.None));
    }

    [Fact]
    public async Task Requests_CarriedOut_CountsWhatTheApiDid_NotRefusalsOrFaults_AndConflictsApart()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        var fault = new FaultRule { Method = "POST", PathPrefix = Nodes, StatusCode = 500 };
        sim.Faults.Add(fault);

        using var failed = await http.PostAsync(new Uri(Nodes, UriKind.Relative), Json("""{"metadata":{"name":"counted-node"}}"""));
        using var created = await http.PostAsync(new Uri(Nodes, UriKind.Relative), Json("""{"metadata":{"name":"counted-node"}}"""));
        using var refused = await http.PostAsync(new Uri(Nodes, UriKind.Relative), Json("""{"metadata":{"name":"counted-node"}}"""));

        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.Created, HttpStatusCode.Conflict], [failed.StatusCode, created.StatusCode, refused.StatusCode]);
        Assert.Equal(3, sim.Requests.Count("POST", Nodes));
        Assert.Equal(1, sim.Requests.CarriedOut("POST", Nodes));
        Assert.Equal(1, sim.Requests.Conflicts("POST", Nodes));
    }

    private static async Task<List<HttpStatusCode>> GetManyAsync(HttpClient http, int count)
    {
        var statuses = new List<HttpStatusCode>(count);
        for (var i = 0; i < count; i++)
        {
            using var response = await http.GetAsync(new Uri(Nodes, UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    // The server acts on its own schedule: look again until the condition holds, for at most ten seconds.
    private static async Task<bool> PollAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }

        return false;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
