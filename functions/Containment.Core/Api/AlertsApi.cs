using Containment.Alerts;
using Containment.Intake;
using Containment.Ledger;
using Microsoft.Extensions.Options;

namespace Containment.Api;

/// <summary>
/// <c>POST /api/alerts</c> and the Event Grid webhook's events: reads every alert in the body, and only when
/// all of them read cleanly admits them. A body that cannot be read is kept in the poison table with the
/// reason, and nothing else changes.
/// </summary>
public sealed class AlertsApi(AlertIntake intake, AlertAdmission admission, PoisonStore poison, IOptions<ApiOptions> options)
{
    public const string Receiver = "/api/alerts";

    /// <summary>
    /// The problems a refusal lists, the first in the body: a batch of a few hundred thousand bad items would otherwise
    /// answer as many details, and its poison record's reason would not fit a table row.
    /// </summary>
    public const int MaxProblemsListed = 100;

    /// <summary>A problem's pointer and message, each at most this long: both may repeat the sender's own text, whole.</summary>
    public const int MaxDetailCharacters = 1_000;

    public async Task<ApiResponse> PostAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var (entries, error) = await AdmitAsync(request, Receiver, cancellationToken);
        return error ?? ApiResponse.Json(202, new { Alerts = entries });
    }

    /// <summary>Admits every alert of the request; the error response instead when the body is not acceptable.</summary>
    public async Task<(IReadOnlyList<AdmissionEntry> Entries, ApiResponse? Error)> AdmitAsync(ApiRequest request, string receiver, CancellationToken cancellationToken)
    {
        if (request.BodyTooLarge)
        {
            return ([], ApiBody.TooLarge(options.Value.MaxBodyBytes));
        }

        if (!ApiBody.IsJson(request.ContentType))
        {
            return ([], ApiBody.UnsupportedMediaType(request.ContentType));
        }

        var read = intake.Read(request.Body, request.ContentType, request.Headers);
        if (read.Validation is not null)
        {
            return ([], ApiResponse.Error(400, "an Event Grid subscription validation belongs on /api/eventgrid"));
        }

        if (!read.Succeeded || read.Alerts.Count == 0)
        {
            var problems = read.Problems.Count > 0 ? read.Problems : [new AlertProblem(string.Empty, "the body holds no alert")];
            var details = problems.Take(MaxProblemsListed)
                .Select(problem => new ApiErrorDetail(
                    TextCut.WithEllipsis(problem.Pointer.Length == 0 ? "/" : problem.Pointer, MaxDetailCharacters),
                    TextCut.WithEllipsis(problem.Message, MaxDetailCharacters)))
                .ToList();
            var unlisted = problems.Count > details.Count ? $"; {problems.Count - details.Count} more problems not listed" : string.Empty;
            var kept = await poison.AddAsync(receiver, request.ContentType, string.Join("; ", details.Select(detail => $"{detail.Pointer}: {detail.Message}")) + unlisted, request.Body.ToString(), cancellationToken);
            return ([], ApiResponse.Error(400, $"the alerts could not be read (kept as poison record {kept.Id}){unlisted}; nothing was started", [.. details]));
        }

        var entries = new List<AdmissionEntry>(read.Alerts.Count);
        foreach (var alert in read.Alerts)
        {
            entries.Add(await admission.AdmitAsync(alert, playbook: null, request.BaseUri, cancellationToken));
        }

        return (entries, null);
    }
}
