using Azure.Core.Serialization;
using Containment;
using Containment.FunctionApp.Durable;
using Containment.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The same registration as the local host (AddContainment); only the runtime differs: Durable Functions
// here, reached through the DurableTaskClient each function is handed.
var host = new HostBuilder()
    .ConfigureFunctionsWorkerDefaults()
    .ConfigureServices((context, services) =>
    {
        // Functions checks the keys itself (AuthorizationLevel.Function), so the core does not.
        services.AddContainment(context.Configuration, requireApiKey: false);
        services.AddSingleton<DurableClientAccessor>();
        services.AddSingleton<IPlaybookRuntime, DurablePlaybookRuntime>();

        // Orchestration inputs, activity requests and results travel in the product's JSON convention.
        services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(ContainmentJson.Options));
    })
    .Build();

await host.RunAsync();
