using System.ComponentModel.DataAnnotations;

namespace Containment.Playbooks;

/// <summary>Where the playbooks are: the setting <c>Containment:PlaybooksPath</c>.</summary>
public sealed class PlaybookOptions
{
    public const string Section = "Containment";

    [Required(ErrorMessage = "Containment:PlaybooksPath must name the playbooks folder")]
    public string PlaybooksPath { get; set; } = string.Empty;
}
