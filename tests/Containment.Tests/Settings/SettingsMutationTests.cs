using Containment.Local.Hosting;
using Containment.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Containment.Tests.Settings;

/// <summary>
/// The sample settings with one setting removed or set to a bad value at a time: the host's startup validation
/// either takes the settings or refuses them with errors that name the setting, each said once.
/// </summary>
public sealed class SettingsMutationTests(ITestOutputHelper output)
{
    private static readonly string[] Values =
    [
        "", " ", "0", "-1", "abc", "99999999999999999999", "true", "00:00:00", "-00:00:01", "10675199.02:48:05.4775808",
        "http://", "ftp://example.com/hook", "not a url", "\u0000", "line\r\nX-Injected: yes", new string('a', 5000),
    ];

    [Fact]
    public void EverySettingRemovedOrBad_TakenOrRefusedNamingTheSetting()
    {
        var sample = LocalSettingsConfiguration.Read(RepositoryRoot.Combine("local.settings.sample.json"));
        var findings = new List<string>();
        var variants = 0;
        foreach (var key in sample.Keys)
        {
            foreach (var value in Values.Prepend(null))
            {
                variants++;
                var settings = sample.ToDictionary();
                if (value is null)
                {
                    settings.Remove(key);
                }
                else
                {
                    settings[key] = value;
                }

                if (Refusal(settings) is { } refusal && (!Names(refusal, key) || SaysTwice(refusal)))
                {
                    findings.Add($"{key} {(value is null ? "removed" : $"= '{(value.Length > 20 ? value[..20] + "…" : value)}'")}: {refusal.GetType().Name}: {refusal.Message}");
                }
            }
        }

        output.WriteLine($"{variants} variants validated");
        findings.Take(60).ToList().ForEach(output.WriteLine);
        Assert.Empty(findings);
    }

    /// <summary>Whether the error names the setting: its whole key (as the binder does), or its last part (as a validator of its section does).</summary>
    private static bool Names(Exception refusal, string key)
    {
        var text = refusal is AggregateException many ? string.Join(" ", many.Flatten().InnerExceptions.Select(inner => inner.Message)) : refusal.Message;
        return text.Contains(key, StringComparison.OrdinalIgnoreCase) || text.Contains(key[(key.LastIndexOf(':') + 1)..], StringComparison.Ordinal);
    }

    private static bool SaysTwice(Exception refusal) =>
        refusal is AggregateException many && many.Flatten().InnerExceptions.Select(inner => inner.Message).GroupBy(message => message).Any(same => same.Count() > 1);

    private static Exception? Refusal(Dictionary<string, string?> settings)
    {
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging();
            services.AddContainment(configuration);
            using var provider = services.BuildServiceProvider();
            provider.GetRequiredService<IStartupValidator>().Validate();
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }
}
