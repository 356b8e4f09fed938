using Containment.Api;
using Containment.Isolation.Drift;
using Containment.Runs.Embedded;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Containment.Local.Hosting;

/// <summary>The local host: the HTTP API on 127.0.0.1 over the same Core services the Functions app uses.</summary>
public static class LocalHost
{
    public const int DefaultPort = 7071;

    /// <param name="settingsFile">A <c>local.settings.json</c>; its values win over the environment's.</param>
    /// <param name="overrides">Settings that win over both (tests, the demo).</param>
    public static WebApplication Create(int port, string? settingsFile, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables();
        if (settingsFile is not null)
        {
            builder.Configuration.AddLocalSettingsFile(settingsFile, optional: false);
        }

        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port));
        builder.Services.AddContainment(builder.Configuration);
        builder.Services.AddEmbeddedPlaybookRuntime().AddRuntimeLease();
        builder.Services.AddSingleton<DriftSchedule>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<DriftSchedule>());
        builder.Services.AddSingleton<IHealthReporter>(provider => provider.GetRequiredService<DriftSchedule>());

        var app = builder.Build();
        ApiRoutes.Map(app);
        return app;
    }
}
