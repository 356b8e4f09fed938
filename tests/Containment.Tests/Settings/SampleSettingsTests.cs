using Containment.Local.Hosting;
using Containment.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Settings;

/// <summary>The sample settings must always satisfy the code: every option bound from them validates.</summary>
public sealed class SampleSettingsTests
{
    private static readonly string SamplePath = RepositoryRoot.Combine("local.settings.sample.json");

    [Fact]
    public void Sample_LoadedIntoTheHost_PassesEveryStartupValidation()
    {
        using var services = BuildServices(LocalSettingsConfiguration.Read(SamplePath));

        var exception = Record.Exception(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Null(exception);
    }

    [Fact]
    public void Sample_WithoutApiKey_FailsStartupValidationNamingTheSetting()
    {
        var settings = LocalSettingsConfiguration.Read(SamplePath).Where(pair => pair.Key != "Containment:Api:Key").ToDictionary();
        using var services = BuildServices(settings);

        var exception = Assert.ThrowsAny<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Key", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageRetryDelay_Set_IsTheTablesClientsRetryDelay()
    {
        var settings = LocalSettingsConfiguration.Read(SamplePath).ToDictionary();
        settings["Containment:Storage:RetryDelay"] = "00:00:00.020";
        using var services = BuildServices(settings);

        services.GetRequiredService<IStartupValidator>().Validate();
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;

        Assert.Equal(TimeSpan.FromMilliseconds(20), storage.ClientOptions().Retry.Delay);
        Assert.Equal(new Azure.Data.Tables.TableClientOptions().Retry.Delay, new StorageOptions().ClientOptions().Retry.Delay);
    }

    [Theory]
    [InlineData("Containment:Storage:RetryDelay", "00:00:00", nameof(StorageOptions.RetryDelay))]
    [InlineData("Containment:Storage:RetryDelay", "00:05:00", nameof(StorageOptions.RetryDelay))]
    [InlineData("Containment:Drift:Settling", "-00:00:01", nameof(Containment.Isolation.Drift.DriftOptions.Settling))]
    [InlineData("Containment:Drift:Settling", "2.00:00:00", nameof(Containment.Isolation.Drift.DriftOptions.Settling))]
    [InlineData("Containment:Drift:Every", "00:00:30", nameof(Containment.Isolation.Drift.DriftOptions.Every))]
    [InlineData("Containment:Drift:Every", "2.00:00:00", nameof(Containment.Isolation.Drift.DriftOptions.Every))]
    [InlineData("Containment:Drift:Channels:0", "soc-pager", "Containment:Drift:Channels:0 names channel 'soc-pager'")]
    public void Duration_OutOfRange_FailsStartupValidationNamingTheSetting(string key, string duration, string named)
    {
        var settings = LocalSettingsConfiguration.Read(SamplePath).ToDictionary();
        settings[key] = duration;
        using var services = BuildServices(settings);

        var exception = Assert.ThrowsAny<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(named, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_EveryKey_IsExplainedByAComment()
    {
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(SamplePath))!["Values"]!.AsObject();
        var comments = document.Select(pair => pair.Key).Where(key => key.StartsWith('_')).ToList();

        // A setting is explained when a comment key names it or one of its sections.
        var unexplained = document.Select(pair => pair.Key)
            .Where(key => !key.StartsWith('_') && key != "FUNCTIONS_WORKER_RUNTIME")
            .Where(key => !comments.Any(comment => key.StartsWith(comment[1..], StringComparison.Ordinal)));

        Assert.Empty(unexplained);
    }

    [Fact]
    public void Read_SettingsFile_MapsDoubleUnderscoreToSections()
    {
        var settings = LocalSettingsConfiguration.Read(SamplePath);

        Assert.Equal("teams", settings["Containment:Notifications:Channels:soc-teams:Type"]);
        Assert.DoesNotContain(settings.Keys, key => key.StartsWith('_'));
    }

    private static ServiceProvider BuildServices(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddContainment(configuration);
        return services.BuildServiceProvider();
    }
}
