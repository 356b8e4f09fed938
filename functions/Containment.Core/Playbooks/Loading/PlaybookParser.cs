using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Playbooks.Validation;

namespace Containment.Playbooks.Loading;

/// <summary>
/// Turns one playbook document into a <see cref="Playbook"/>: well-formed JSON first, then the schema,
/// then the typed model, then the semantic checks. Every problem found at a stage is reported together.
/// </summary>
public static class PlaybookParser
{
    public static PlaybookParseResult Parse(string file, string json, PlaybookValidationContext context)
    {
        JsonNode? document;
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false };
        try
        {
            using (var read = JsonDocument.Parse(json, options))
            {
                if (DuplicateKeys.First(read.RootElement) is { } duplicate)
                {
                    return PlaybookParseResult.Failed(new PlaybookProblem(file, duplicate, "this key is given twice in its object; keep one"));
                }
            }

            document = JsonNode.Parse(json, documentOptions: options);
        }
        catch (JsonException exception)
        {
            var where = exception.LineNumber is { } line
                ? $" at line {line + 1}, column {(exception.BytePositionInLine ?? 0) + 1}"
                : string.Empty;
            return PlaybookParseResult.Failed(new PlaybookProblem(file, JsonPointer.Root, $"not valid JSON{where}: {JsonErrors.Describe(exception)}"));
        }

        var schemaProblems = PlaybookSchema.Instance.Validate(json, document);
        if (schemaProblems.Count > 0)
        {
            return PlaybookParseResult.Failed(schemaProblems.Select(problem => new PlaybookProblem(file, problem.Pointer, problem.Message)).ToArray());
        }

        Playbook? playbook;
        try
        {
            playbook = document.Deserialize<Playbook>(ContainmentJson.Options);
        }
        catch (JsonException exception)
        {
            // The schema admits it but the model cannot hold it (an out-of-range duration, say).
            return PlaybookParseResult.Failed(new PlaybookProblem(file, JsonErrors.PointerOf(exception), JsonErrors.Describe(exception)));
        }

        if (playbook is null)
        {
            return PlaybookParseResult.Failed(new PlaybookProblem(file, JsonPointer.Root, "expected a playbook object, got null"));
        }

        var problems = PlaybookValidator.Validate(playbook, context).Select(problem => new PlaybookProblem(file, problem.Pointer, problem.Message)).ToList();
        if (JsonSerializer.Serialize(playbook, ContainmentJson.Options).Length is var stored and > PlaybookLimits.LongestStoredCharacters)
        {
            problems.Add(new PlaybookProblem(file, JsonPointer.Root, string.Create(CultureInfo.InvariantCulture,
                $"the playbook is {stored:N0} characters as a run keeps it, and a run's row has room for {PlaybookLimits.LongestStoredCharacters:N0} beside the run's state; shorten its messages or split it")));
        }

        return new PlaybookParseResult(problems, playbook);
    }
}
