using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containment.Isolation;
using Containment.Notifications;
using Containment.Tests.Support;

namespace Containment.Tests.Infra;

/// <summary>
/// No Bicep compiler runs here, so these read infra/*.bicep as text and check that the deployment
/// declares what the code and the README rely on.
/// </summary>
public sealed partial class MainBicepTests
{
    private static readonly string Main = File.ReadAllText(RepositoryRoot.Combine("infra", "main.bicep"));
    private static readonly string AllBicep = string.Join("\n", Directory.GetFiles(RepositoryRoot.Combine("infra"), "*.bicep", SearchOption.AllDirectories).Select(File.ReadAllText));

    [Theory]
    [InlineData("Microsoft.Web/serverfarms")]
    [InlineData("Microsoft.Web/sites")]
    [InlineData("Microsoft.ManagedIdentity/userAssignedIdentities")]
    [InlineData("Microsoft.Storage/storageAccounts")]
    [InlineData("Microsoft.Insights/components")]
    [InlineData("Microsoft.OperationalInsights/workspaces")]
    [InlineData("Microsoft.KeyVault/vaults")]
    [InlineData("Microsoft.EventGrid/topics")]
    [InlineData("Microsoft.EventGrid/topics/eventSubscriptions")]
    [InlineData("Microsoft.Authorization/roleAssignments")]
    public void Infra_DeclaresResourceType(string type)
    {
        Assert.Contains(type, ResourceTypes(AllBicep));
    }

    [Fact]
    public void Main_FlexConsumptionDotnetIsolated()
    {
        Assert.Contains("tier: 'FlexConsumption'", Main, StringComparison.Ordinal);
        Assert.Contains("name: 'FC1'", Main, StringComparison.Ordinal);
        Assert.Contains("name: 'dotnet-isolated'", Main, StringComparison.Ordinal);
        Assert.Matches(@"param dotnetVersion string = '10\.0'", Main);
    }

    [Fact]
    public void Main_StorageHasSharedKeyAccessOff()
    {
        Assert.Contains("allowSharedKeyAccess: false", Main, StringComparison.Ordinal);
        Assert.DoesNotContain("listKeys(", AllBicep, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b")] // Storage Blob Data Owner
    [InlineData("974c5e8b-45b9-4653-ba55-5f855dd0fb88")] // Storage Queue Data Contributor
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3")] // Storage Table Data Contributor
    [InlineData("4633458b-17de-408a-b874-0445c86b69e6")] // Key Vault Secrets User
    [InlineData("4abbcc35-e782-43d8-92c5-2d3f1bd2253f")] // Azure Kubernetes Service Cluster User Role
    [InlineData("a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb")] // Azure Kubernetes Service RBAC Writer
    public void Infra_AssignsRole(string roleDefinitionId)
    {
        Assert.Contains($"'{roleDefinitionId}'", AllBicep, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__accountName")]
    [InlineData("AzureWebJobsStorage__credential")]
    [InlineData("AzureWebJobsStorage__clientId")]
    [InlineData("AzureWebJobsStorage__tableServiceUri")]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING")]
    [InlineData("Containment__PlaybooksPath")]
    [InlineData("Containment__Approvals__SigningKey")]
    [InlineData("Containment__Approvals__BaseUrl")]
    [InlineData("Containment__Clusters__${cluster.alias}__ResourceId")]
    [InlineData("Containment__ProtectedNamespaces__${index}")]
    [InlineData("Containment__Notifications__Channels__${channel.name}__Type")]
    [InlineData("Containment__Drift__Channels__${index}")]
    [InlineData(Containment.Isolation.Drift.DriftOptions.FunctionsScheduleSetting + ": driftSchedule")]
    [InlineData("name: 'ContainmentDrift'")]
    [InlineData(Containment.Telemetry.TracingServiceCollectionExtensions.EndpointSetting)]
    [InlineData(Containment.Telemetry.TracingServiceCollectionExtensions.RetrySetting)]
    public void Main_SetsAppSettingTheCodeReads(string setting)
    {
        Assert.Contains(setting, Main, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_AppSettingsCoverSampleSettingsOfAzure()
    {
        // Every Containment setting family the sample documents has a place in the deployment,
        // except the ones that only the local host reads.
        var localOnly = new[] { "Containment__Api__", "Containment__Ledger__" };
        var sample = File.ReadAllText(RepositoryRoot.Combine("local.settings.sample.json"));
        var families = SettingFamily().Matches(sample).Select(match => match.Groups[1].Value).Distinct()
            .Where(family => !localOnly.Any(prefix => family.StartsWith(prefix, StringComparison.Ordinal)));

        Assert.All(families, family => Assert.Contains(family, Main, StringComparison.Ordinal));
    }

    [Fact]
    public void AlertTopic_SubscribesTheEventGridFunctionWithRetryAndDeadLetter()
    {
        var topic = File.ReadAllText(RepositoryRoot.Combine("infra", "modules", "alert-topic.bicep"));

        Assert.Contains("endpointType: 'AzureFunction'", topic, StringComparison.Ordinal);
        Assert.Contains("/functions/EventGridAlerts", topic, StringComparison.Ordinal);
        Assert.Contains("retryPolicy:", topic, StringComparison.Ordinal);
        Assert.Contains("deadLetterDestination:", topic, StringComparison.Ordinal);

        // The storage account takes no shared key: dead letters are written with the topic's identity, which may write blobs.
        Assert.Contains("deadLetterWithResourceIdentity:", topic, StringComparison.Ordinal);
        Assert.Contains("type: 'SystemAssigned'", topic, StringComparison.Ordinal);
        Assert.Contains("'ba92f5b4-2d11-453d-a403-e96b0029c9fe'", topic, StringComparison.Ordinal); // Storage Blob Data Contributor
        Assert.Contains("principalId: topic.identity.principalId", topic, StringComparison.Ordinal);
    }

    /// <summary>
    /// The built-in AKS RBAC Writer role covers the objects in a namespace; what an action does to an object of no
    /// namespace must be granted by a data action of its own, or the step meets 403 on every cluster.
    /// </summary>
    [Fact]
    public void ClusterAccess_GrantsWhatEveryActionDoesToObjectsOfNoNamespace()
    {
        string[] ofNoNamespace = ["nodes", "namespaces", "persistentvolumes"];

        var dataActions = ContainmentActions.All
            .SelectMany(action => action.Needed)
            .Where(permission => permission.Group.Length == 0 && ofNoNamespace.Contains(permission.Resource))
            .SelectMany(permission => permission.Verbs.Select(verb => $"'Microsoft.ContainerService/managedClusters/{permission.Resource}/{DataActionOf(verb)}'"))
            .Distinct()
            .ToList();

        Assert.Equal(["'Microsoft.ContainerService/managedClusters/nodes/read'", "'Microsoft.ContainerService/managedClusters/nodes/write'"], dataActions.Order());
        Assert.All(dataActions, dataAction => Assert.Contains(dataAction, AllBicep, StringComparison.Ordinal));
        Assert.Contains("roleDefinitionId: nodeCordonRole.id", AllBicep, StringComparison.Ordinal);
    }

    // Azure RBAC for Kubernetes maps the Kubernetes verbs onto three data actions.
    private static string DataActionOf(string verb) => verb switch
    {
        "get" or "list" or "watch" => "read",
        "create" or "update" or "patch" => "write",
        "delete" => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, "not a Kubernetes verb Azure RBAC maps"),
    };

    /// <summary>A channel the deployment cannot describe whole fails the host's start (an email channel without its SMTP server).</summary>
    [Fact]
    public void Main_ChannelSettings_SetEveryOptionAChannelBinds()
    {
        var bound = typeof(ChannelOptions).Assembly.GetTypes()
            .Where(type => type.IsSubclassOf(typeof(ChannelOptions)) && !type.IsAbstract)
            .SelectMany(type => type.GetProperties().Where(property => property.CanWrite && property.Name != nameof(ChannelOptions.Name)))
            .Select(property => property.Name)
            .Distinct()
            .ToList();

        Assert.Contains(nameof(EmailChannelOptions.SmtpHost), bound);
        Assert.All(bound, name => Assert.Contains($"'Containment__Notifications__Channels__${{channel.name}}__{name}'", Main, StringComparison.Ordinal));
    }

    /// <summary>A playbook naming a channel that is not configured is not loaded: the README's deployment configures every one the shipped playbooks name.</summary>
    [Fact]
    public void Readme_Deployment_ConfiguresEveryChannelTheShippedPlaybooksName()
    {
        var readme = File.ReadAllText(RepositoryRoot.Combine("README.md"));
        var deployed = JsonNode.Parse(DeployedChannels().Match(readme).Groups[1].Value)!.AsArray()
            .Select(channel => (string)channel!["name"]!)
            .ToHashSet(StringComparer.Ordinal);
        var named = Directory.GetFiles(RepositoryRoot.Combine("playbooks"), "*.json")
            .SelectMany(file => NamedChannels().Matches(File.ReadAllText(file)))
            .SelectMany(match => JsonNode.Parse(match.Groups[1].Value)!.AsArray().Select(channel => (string)channel!))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Equal(["soc-email", "soc-oncall", "soc-teams"], named.Order());
        Assert.Subset(deployed, named);
    }

    [Fact]
    public void Main_EveryParameterHasADescription()
    {
        var lines = Main.Split('\n');
        var undocumented = lines.Select((line, index) => (line, index))
            .Where(pair => pair.line.StartsWith("param ", StringComparison.Ordinal))
            .Where(pair => !lines.Take(pair.index).Reverse().TakeWhile(previous => previous.StartsWith('@')).Any(previous => previous.StartsWith("@description", StringComparison.Ordinal)))
            .Select(pair => pair.line);

        Assert.Empty(undocumented);
    }

    private static HashSet<string> ResourceTypes(string bicep) =>
        ResourceDeclaration().Matches(bicep).Select(match => match.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"resource \w+ '([A-Za-z./]+)@[0-9a-z-]+'")]
    private static partial Regex ResourceDeclaration();

    [GeneratedRegex(@"""(Containment__[A-Za-z]+__)")]
    private static partial Regex SettingFamily();

    [GeneratedRegex(@"notificationChannels='(\[.*?\])'")]
    private static partial Regex DeployedChannels();

    [GeneratedRegex(@"""channels"":\s*(\[[^\]]*\])")]
    private static partial Regex NamedChannels();
}
