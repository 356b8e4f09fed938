using System.ComponentModel.DataAnnotations;
using Azure.Data.Tables;

namespace Containment;

/// <summary>The storage account both hosts use, from the Functions setting <c>AzureWebJobsStorage</c>, and how its SDK tries again (<c>Containment:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SettingName = "AzureWebJobsStorage";

    /// <summary>The section of the settings that are not Functions' own (<see cref="RetryDelay"/>).</summary>
    public const string Section = "Containment:Storage";

    /// <summary>A connection string (Azurite locally), or, in Azure, empty with <c>AzureWebJobsStorage__tableServiceUri</c> and a managed identity.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The table endpoint for identity-based access (<c>AzureWebJobsStorage__tableServiceUri</c>).</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity (<c>AzureWebJobsStorage__clientId</c>).</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// How long the storage SDK waits before it tries a request again (no answer, 408, 429 or 5xx), doubled per try
    /// (<c>Containment__Storage__RetryDelay</c>; the SDK's own 0.8 s by default).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>The Tables client's options these settings ask for.</summary>
    public TableClientOptions ClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.Delay = RetryDelay;
        return options;
    }

    public IEnumerable<ValidationResult> Validate() =>
        string.IsNullOrWhiteSpace(ConnectionString) && TableServiceUri is null
            ? [new ValidationResult($"{SettingName} must be a storage connection string, or {SettingName}__tableServiceUri must name the table endpoint")]
            : [];
}
