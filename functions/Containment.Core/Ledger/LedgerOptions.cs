using System.ComponentModel.DataAnnotations;

namespace Containment.Ledger;

/// <summary>Settings under <c>Containment:Ledger</c>. The storage account is <c>AzureWebJobsStorage</c>.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Containment:Ledger";

    /// <summary>Prefix of the ledger's table names (letters and digits, as Table Storage requires).</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{0,39}$")]
    public string TablePrefix { get; set; } = "Containment";

    /// <summary>How often a conditional write that lost a race is tried again before giving up.</summary>
    [Range(1, 100)]
    public int MaxConcurrencyRetries { get; set; } = 20;

    /// <summary>
    /// How many recently written records of each kind (isolations, events) this process keeps with their ETag,
    /// so that the next change of one writes without reading it first.
    /// </summary>
    [Range(0, 1_000_000)]
    public int CachedRecords { get; set; } = 2_000;
}
