using Containment.Playbooks.Loading;
using Containment.Playbooks.Validation;

namespace Containment.Tests.Playbooks;

/// <summary>Builds playbook documents for tests: a valid one to start from, with the parts a test changes.</summary>
internal static class PlaybookText
{
    public const string File = "test.json";

    public static string With(string steps, string trigger = """{ "categories": ["reverse-shell"] }""", string extra = "") => $$"""
        {
          "name": "test-playbook",
          "trigger": {{trigger}},
          "steps": {{steps}}{{extra}}
        }
        """;

    public static PlaybookParseResult Parse(string json, PlaybookValidationContext? context = null) =>
        PlaybookParser.Parse(File, json, context ?? PlaybookValidationContext.None);

    /// <summary>The problems as <c>POINTER: message</c> lines, the form a test compares exactly.</summary>
    public static string[] Problems(string json, PlaybookValidationContext? context = null) =>
        Parse(json, context).Problems.Select(problem => $"{problem.Pointer}: {problem.Message}").ToArray();
}
