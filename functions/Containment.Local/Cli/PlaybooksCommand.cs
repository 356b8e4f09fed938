using System.CommandLine;
using Containment.Playbooks.Loading;
using Containment.Playbooks.Validation;

namespace Containment.Local.Cli;

/// <summary><c>playbooks validate [paths...]</c>: one line per problem, <c>FILE:POINTER: message</c>; <c>playbooks steps</c> (<see cref="PlaybookStepsCommand"/>).</summary>
internal static class PlaybooksCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Playbook files or folders (default: the repository's playbooks/ folder).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var validate = new Command("validate", "Check playbooks against the schema and the semantic rules.") { paths };
        validate.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var given = parse.GetValue(paths) is { Length: > 0 } list ? list : [RepositoryPaths.Playbooks];
            var result = await PlaybookLoader.LoadAsync(given, PlaybookValidationContext.None, cancellationToken);
            foreach (var problem in result.Problems)
            {
                await output.WriteLineAsync((problem with { File = RepositoryPaths.ForDisplay(problem.File) }).ToString());
            }

            if (result.IsValid)
            {
                await output.WriteLineAsync($"{result.Catalog.Playbooks.Count} playbook(s) valid");
            }

            return result.IsValid ? ContainmentCli.Ok : ContainmentCli.Failed;
        });

        return new Command("playbooks", "Work with playbooks.") { validate, PlaybookStepsCommand.Create() };
    }
}
