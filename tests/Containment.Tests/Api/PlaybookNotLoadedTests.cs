using System.Text.Json.Nodes;
using Containment.Tests.EndToEnd;
using Containment.Tests.Support;

namespace Containment.Tests.Api;

/// <summary>A host whose manual-isolate playbook has a mistake, and is left out: isolating by hand says so and starts nothing.</summary>
public sealed class PlaybookNotLoadedTests(PlaybookNotLoadedTests.BrokenManualIsolateHostFixture host) : IClassFixture<PlaybookNotLoadedTests.BrokenManualIsolateHostFixture>
{
    [Fact]
    public async Task IsolateByHand_ManualIsolateNotLoaded_Is503NamingIt_NothingStarted_PodUntouched()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var before = await flow.PodAsync(pod);

        var isolate = await flow.PostAsync("api/isolations", $$"""{ "cluster": "{{LocalHostFixture.Cluster}}", "namespace": "{{LocalHostFixture.Namespace}}", "pod": "{{pod}}", "reason": "shell seen" }""");
        var playbooks = await flow.GetAsync("api/playbooks");
        using var run = await flow.Http.GetAsync(new Uri($"api/runs/{Uri.EscapeDataString($"{LocalHostFixture.Cluster}~{LocalHostFixture.Namespace}~{pod}")}", UriKind.Relative));

        Assert.Equal(503, isolate.Status);
        Assert.Equal("""{"error":"the playbook manual-isolate is not loaded; see GET /api/playbooks"}""", isolate.Body.ToJsonString());
        Assert.DoesNotContain(playbooks["playbooks"]!.AsArray(), playbook => (string?)playbook!["name"] == "manual-isolate");
        Assert.Contains(playbooks["problems"]!.AsArray(), problem => (string?)problem!["file"] == "manual-isolate.json" && ((string?)problem["message"])!.Contains("soc-pager", StringComparison.Ordinal));
        Assert.Equal(404, (int)run.StatusCode);
        Assert.Equal(before!.ToJsonString(), (await flow.PodAsync(pod))!.ToJsonString());
    }

    /// <summary>The local host with the shipped playbooks, but for a manual-isolate that tells a channel no setting declares.</summary>
    public sealed class BrokenManualIsolateHostFixture : LocalHostFixture, IDisposable
    {
        private readonly DirectoryInfo playbooks = Directory.CreateTempSubdirectory("playbooks-");

        /// <summary>After the host has stopped (xunit disposes a fixture's <see cref="IAsyncLifetime"/> side first).</summary>
        public void Dispose() => playbooks.Delete(recursive: true);

        protected override void Configure(IDictionary<string, string?> settings)
        {
            foreach (var file in Directory.GetFiles(RepositoryRoot.Combine("playbooks")))
            {
                var text = File.ReadAllText(file);
                File.WriteAllText(Path.Combine(playbooks.FullName, Path.GetFileName(file)),
                    Path.GetFileName(file) == "manual-isolate.json" ? text.Replace("soc-teams", "soc-pager", StringComparison.Ordinal) : text);
            }

            settings["Containment:PlaybooksPath"] = playbooks.FullName;
        }
    }
}
