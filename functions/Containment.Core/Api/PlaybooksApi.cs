using Containment.Playbooks;

namespace Containment.Api;

/// <summary><c>GET /api/playbooks</c>: the loaded playbooks and every problem in the ones left out.</summary>
public sealed class PlaybooksApi(PlaybookRepository repository)
{
    public async Task<ApiResponse> ListAsync(CancellationToken cancellationToken)
    {
        var result = await repository.GetAsync(cancellationToken);
        var playbooks = result.Catalog.Playbooks.Select(loaded => new
        {
            loaded.Playbook.Name,
            File = Path.GetFileName(loaded.File),
            loaded.Playbook.Description,
            loaded.Playbook.Enabled,
            loaded.Playbook.Priority,
            loaded.Playbook.Trigger,
            Steps = loaded.Playbook.Steps.Select(step => new { step.Id, step.Type }),
        });
        var problems = result.Problems.Select(problem => new { File = Path.GetFileName(problem.File), problem.Pointer, problem.Message });
        return ApiResponse.Json(200, new { Valid = result.IsValid, Playbooks = playbooks, Problems = problems });
    }
}
