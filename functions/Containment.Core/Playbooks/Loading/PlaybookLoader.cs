using Containment.Playbooks.Validation;

namespace Containment.Playbooks.Loading;

/// <summary>
/// Loads playbooks from files and folders (every <c>*.json</c> but the schema), checks each one, then
/// checks them against each other: unique names, and no two overlapping triggers at one priority.
/// </summary>
public static class PlaybookLoader
{
    public const string SchemaFileName = "playbook.schema.json";

    public static async Task<PlaybookLoadResult> LoadAsync(IEnumerable<string> paths, PlaybookValidationContext context, CancellationToken cancellationToken)
    {
        var problems = new List<PlaybookProblem>();
        var parsed = new List<LoadedPlaybook>();
        foreach (var file in ExpandPaths(paths, problems))
        {
            string json;
            try
            {
                json = await File.ReadAllTextAsync(file, cancellationToken);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // One file that cannot be read (removed while listed, not readable by the host) leaves the others serving.
                problems.Add(new PlaybookProblem(file, JsonPointer.Root, $"cannot be read: {exception.Message}"));
                continue;
            }

            var result = PlaybookParser.Parse(file, json, context);
            problems.AddRange(result.Problems);
            if (result.IsValid)
            {
                parsed.Add(new LoadedPlaybook(result.Playbook!, file));
            }
        }

        problems.AddRange(CheckAcross(parsed));
        var invalidFiles = problems.Select(problem => problem.File).ToHashSet(StringComparer.Ordinal);
        var valid = parsed.Where(loaded => !invalidFiles.Contains(loaded.File)).ToList();
        return new PlaybookLoadResult(new PlaybookCatalog(valid), problems);
    }

    private static IEnumerable<string> ExpandPaths(IEnumerable<string> paths, List<PlaybookProblem> problems)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*.json", SearchOption.TopDirectoryOnly)
                    .Where(file => !string.Equals(Path.GetFileName(file), SchemaFileName, StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    yield return file;
                }
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                problems.Add(new PlaybookProblem(path, JsonPointer.Root, "no such file or folder"));
            }
        }
    }

    private static IEnumerable<PlaybookProblem> CheckAcross(List<LoadedPlaybook> playbooks)
    {
        for (var later = 0; later < playbooks.Count; later++)
        {
            for (var earlier = 0; earlier < later; earlier++)
            {
                var (first, second) = (playbooks[earlier], playbooks[later]);
                if (string.Equals(first.Playbook.Name, second.Playbook.Name, StringComparison.OrdinalIgnoreCase))
                {
                    yield return new PlaybookProblem(second.File, "/name", $"playbook name '{second.Playbook.Name}' is already used by {first.File}");
                }
                else if (first.Playbook.Enabled && second.Playbook.Enabled && first.Playbook.Priority == second.Playbook.Priority
                    && TriggerMatcher.Overlap(first.Playbook.Trigger, second.Playbook.Trigger))
                {
                    yield return new PlaybookProblem(second.File, "/priority",
                        $"trigger overlaps with playbook '{first.Playbook.Name}' ({first.File}) at the same priority {second.Playbook.Priority}: give one of them a different priority");
                }
            }
        }
    }
}
