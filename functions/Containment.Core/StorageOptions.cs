using System.ComponentModel.DataAnnotations;

namespace Containment;

/// <summary>The storage account both hosts use, from the Functions setting <c>AzureWebJobsStorage</c>.</summary>
public sealed class StorageOptions
{
    public const string SettingName = "AzureWebJobsStorage";

    /// <summary>A connection string (Azurite locally), or, in Azure, empty with <c>AzureWebJobsStorage__tableServiceUri</c> and a managed identity.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The table endpoint for identity-based access (<c>AzureWebJobsStorage__tableServiceUri</c>).</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity (<c>AzureWebJobsStorage__clientId</c>).</summary>
    public string? ClientId { get; set; }

    public IEnumerable<ValidationResult> Validate() =>
        string.IsNullOrWhiteSpace(ConnectionString) && TableServiceUri is null
            ? [new ValidationResult($"{SettingName} must be a storage connection string, or {SettingName}__tableServiceUri must name the table endpoint")]
            : [];
}
