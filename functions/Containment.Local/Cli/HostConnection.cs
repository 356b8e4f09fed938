using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Containment.Api;
using Containment.Local.Hosting;

namespace Containment.Local.Cli;

/// <summary>The <c>--url</c> and <c>--key</c> options of the verbs that talk to a running host, and the client they make.</summary>
internal sealed class HostConnection
{
    public const string KeyVariable = "CONTAINMENT_API_KEY";

    public Option<Uri> Url { get; } = new("--url")
    {
        Description = "The host's base address.",
        DefaultValueFactory = _ => new Uri($"http://127.0.0.1:{LocalHost.DefaultPort}"),
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"--url '{text}' is not an http(s) address such as http://127.0.0.1:7071");
            return null;
        },
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = $"The API key (default: ${KeyVariable}, else Containment__Api__Key in local.settings.json).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(Key);
    }

    public HttpClient CreateClient(ParseResult parse)
    {
        var client = new HttpClient { BaseAddress = parse.GetValue(Url), Timeout = TimeSpan.FromSeconds(100) };
        if (ResolveKey(parse.GetValue(Key)) is { } key)
        {
            client.DefaultRequestHeaders.Add(ApiKeyCheck.HeaderName, key);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>
    /// Sends a request to the host and reads its JSON answer; on an error answer, or none, says so on the command's
    /// error writer and gives null.
    /// </summary>
    public async Task<T?> SendAsync<T>(ParseResult parse, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
        where T : class
    {
        var error = parse.InvocationConfiguration.Error;
        using var client = CreateClient(parse);
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = body is null ? null : JsonContent.Create(body, options: ContainmentJson.Options),
        };
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync(Answer(response, await response.Content.ReadAsStringAsync(cancellationToken)));
                return null;
            }

            return await response.Content.ReadFromJsonAsync<T>(ContainmentJson.Options, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            await error.WriteLineAsync(CannotReach(client, exception));
            return null;
        }
        catch (JsonException exception)
        {
            // Another service on that address, or a host of another version.
            await error.WriteLineAsync($"{client.BaseAddress}{path} answered what this command cannot read: {exception.Message}");
            return null;
        }
    }

    /// <summary>A host's answer as printed: its status, then its body with every control or bidirectional character shown as its code.</summary>
    public static string Answer(HttpResponseMessage response, string body) =>
        $"{(int)response.StatusCode} {response.ReasonPhrase}\n{TerminalText.Shown(body)}";

    public static string CannotReach(HttpClient client, HttpRequestException exception) =>
        $"cannot reach {client.BaseAddress}: {exception.Message}";

    private static string? ResolveKey(string? given)
    {
        if (!string.IsNullOrEmpty(given))
        {
            return given;
        }

        if (Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        var settings = Path.Combine(RepositoryPaths.Root, "local.settings.json");
        return File.Exists(settings) && LocalSettingsConfiguration.Read(settings).TryGetValue("Containment:Api:Key", out var fromFile)
            ? fromFile
            : null;
    }
}
