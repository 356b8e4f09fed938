using Containment.Alerts;
using Containment.Playbooks.Loading;
using Containment.Playbooks.Validation;

namespace Containment.Tests.Playbooks;

public sealed class PlaybookLoaderTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("playbooks-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public async Task Load_SameNameTwice_ReportsLaterFile()
    {
        var first = Write("a.json", Playbook("same", """["malware"]""", priority: 1));
        var second = Write("b.json", Playbook("same", """["reverse-shell"]""", priority: 2));

        var result = await Load();

        var problem = Assert.Single(result.Problems);
        Assert.Equal(new PlaybookProblem(second, "/name", $"playbook name 'same' is already used by {first}"), problem);
        Assert.Equal(["same"], result.Catalog.Playbooks.Select(loaded => loaded.Playbook.Name));
    }

    [Fact]
    public async Task Load_OverlappingTriggersSamePriority_ReportsPriority()
    {
        var first = Write("a.json", Playbook("first", """["malware", "reverse-shell"]""", priority: 5));
        var second = Write("b.json", Playbook("second", """["reverse-shell"]""", priority: 5));

        var result = await Load();

        Assert.Equal(
            [new PlaybookProblem(second, "/priority", $"trigger overlaps with playbook 'first' ({first}) at the same priority 5: give one of them a different priority")],
            result.Problems);
    }

    [Fact]
    public async Task Load_CatchAllSamePriority_ReportsOverlap()
    {
        Write("a.json", Playbook("first", """["malware"]""", priority: 0));
        Write("b.json", Playbook("second", "[]", priority: 0));

        var result = await Load();

        Assert.Single(result.Problems);
    }

    [Theory]
    [InlineData("""["malware"]""", 5, """["reverse-shell"]""", 5, "", "")]
    [InlineData("""["malware"]""", 5, """["malware"]""", 6, "", "")]
    [InlineData("""["malware"]""", 5, """["malware"]""", 5, """, "namespaces": { "include": ["a"] }""", """, "namespaces": { "include": ["b"] }""")]
    [InlineData("""["malware"]""", 5, """["malware"]""", 5, """, "namespaces": { "include": ["a"] }""", """, "namespaces": { "exclude": ["a"] }""")]
    [InlineData("""["malware"]""", 5, """["malware"]""", 5, """, "podLabels": { "tier": "web" }""", """, "podLabels": { "tier": "db" }""")]
    public async Task Load_DisjointOrPrioritised_IsValid(string categoriesA, int priorityA, string categoriesB, int priorityB, string filterA, string filterB)
    {
        Write("a.json", Playbook("first", categoriesA, priorityA, filterA));
        Write("b.json", Playbook("second", categoriesB, priorityB, filterB));

        var result = await Load();

        Assert.Empty(result.Problems);
        Assert.Equal(2, result.Catalog.Playbooks.Count);
    }

    [Fact]
    public async Task Load_InvalidFile_IsLeftOutAndOthersLoad()
    {
        Write("a.json", Playbook("good", """["malware"]""", priority: 0));
        var bad = Write("b.json", "{ nope");

        var result = await Load();

        Assert.Equal(bad, Assert.Single(result.Problems).File);
        Assert.Equal(["good"], result.Catalog.Playbooks.Select(loaded => loaded.Playbook.Name));
    }

    [Fact]
    public async Task Load_FileThatCannotBeRead_IsReportedAndOthersLoad()
    {
        Write("a.json", Playbook("good", """["malware"]""", priority: 0));
        var dangling = Path.Combine(folder.FullName, "b.json");
        File.CreateSymbolicLink(dangling, Path.Combine(folder.FullName, "gone.json"));

        var result = await Load();

        var problem = Assert.Single(result.Problems);
        Assert.Equal((dangling, "/"), (problem.File, problem.Pointer));
        Assert.StartsWith("cannot be read: ", problem.Message, StringComparison.Ordinal);
        Assert.Equal(["good"], result.Catalog.Playbooks.Select(loaded => loaded.Playbook.Name));
    }

    [Fact]
    public async Task Load_FileWithAKeyGivenTwice_IsLeftOutAndOthersLoad()
    {
        Write("a.json", Playbook("good", """["malware"]""", priority: 0));
        var twice = Write("b.json", """{ "name": "b", "name": "c", "trigger": {}, "steps": [] }""");

        var result = await Load();

        Assert.Equal([new PlaybookProblem(twice, "/name", "this key is given twice in its object; keep one")], result.Problems);
        Assert.Equal(["good"], result.Catalog.Playbooks.Select(loaded => loaded.Playbook.Name));
    }

    [Fact]
    public async Task Load_MissingPath_ReportsIt()
    {
        var missing = Path.Combine(folder.FullName, "none");

        var result = await PlaybookLoader.LoadAsync([missing], PlaybookValidationContext.None, CancellationToken.None);

        Assert.Equal([new PlaybookProblem(missing, "/", "no such file or folder")], result.Problems);
    }

    [Fact]
    public async Task Load_Folder_SkipsTheSchemaFile()
    {
        Write(PlaybookLoader.SchemaFileName, "{}");
        Write("a.json", Playbook("good", """["malware"]""", priority: 0));

        var result = await Load();

        Assert.Empty(result.Problems);
    }

    [Theory]
    [InlineData(AlertCategory.ReverseShell, "shop", true, null, "front")] // the labelled playbook is first on all else: labels decide
    [InlineData(AlertCategory.ReverseShell, "web", false, "web-shells", "web-shells")] // one that takes it whatever the labels is ahead
    [InlineData(AlertCategory.Malware, "shop", false, "anything", "anything")] // only a playbook without labels takes it
    [InlineData(AlertCategory.ReverseShell, "kube-system", false, null, null)] // the labelled one leaves out this namespace
    public async Task Catalog_AsksPodLabels_OnlyWhenTheFirstPlaybookToTakeTheAlertOnAllElseAsksForThem(
        AlertCategory category, string ns, bool asks, string? chosenWithoutLabels, string? chosenForTierFront)
    {
        Write("a.json", Playbook("front", """["reverse-shell"]""", priority: 50, """, "podLabels": { "tier": "front" }, "namespaces": { "exclude": ["kube-system"] }"""));
        Write("b.json", Playbook("web-shells", """["reverse-shell"]""", priority: 60, """, "namespaces": { "include": ["web"] }"""));
        Write("c.json", Playbook("anything", """["malware"]""", priority: 0));
        var catalog = (await Load()).Catalog;
        var alert = new Alert
        {
            Id = "a-1",
            Source = "falco",
            Category = category,
            Severity = Severity.High,
            Time = DateTimeOffset.UnixEpoch,
            Target = new AlertTarget { Cluster = "c1", Namespace = ns, Pod = "p" },
        };

        Assert.Equal(asks, catalog.AsksPodLabels(alert));
        Assert.Equal(chosenWithoutLabels, catalog.Select(alert)?.Name);
        Assert.Equal(chosenForTierFront, catalog.Select(alert, new Dictionary<string, string> { ["tier"] = "front" })?.Name);
    }

    private Task<PlaybookLoadResult> Load() =>
        PlaybookLoader.LoadAsync([folder.FullName], PlaybookValidationContext.None, CancellationToken.None);

    private string Write(string name, string json)
    {
        var path = Path.Combine(folder.FullName, name);
        File.WriteAllText(path, json);
        return path;
    }

    private static string Playbook(string name, string categories, int priority, string triggerExtra = "") => $$"""
        { "name": "{{name}}", "priority": {{priority}},
          "trigger": { "categories": {{categories}}{{triggerExtra}} },
          "steps": [{ "id": "tell", "type": "notify", "channels": ["c"], "template": "alert-received" }] }
        """;
}
