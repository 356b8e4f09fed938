using System.Globalization;
using Azure.Data.Tables;

namespace Containment;

/// <summary>
/// JSON in table entities. A string property holds at most 32K characters, so longer documents are cut
/// into numbered properties (<c>Record</c>, <c>Record1</c>, ...) within the entity's 1 MiB.
/// </summary>
public static class TableJson
{
    /// <summary>A document longer than a row holds: writing it again cannot succeed.</summary>
    /// <remarks>An <see cref="ArgumentException"/> whose message is shown as it is (a run's failure reason).</remarks>
    public sealed class RowTooLargeException(string message) : ArgumentException(message);

    private const int ChunkCharacters = 30_000;

    /// <summary>About what fits in one entity beside its keys and columns.</summary>
    public const int MaxCharacters = 15 * ChunkCharacters;

    /// <exception cref="RowTooLargeException">
    /// The document is longer than a row holds, or the row, with what was written to it before, would be past
    /// <see cref="TableEntitySize.MaxBytes"/>: the entity cannot be stored.
    /// </exception>
    public static void Write(TableEntity entity, string name, string json)
    {
        if (json.Length > MaxCharacters)
        {
            throw new RowTooLargeException($"{name} is {json.Length} characters; a table row holds at most {MaxCharacters}");
        }

        for (var (offset, index) = (0, 0); offset < json.Length || index == 0; offset += ChunkCharacters, index++)
        {
            entity[index == 0 ? name : name + index] = json.Substring(offset, Math.Min(ChunkCharacters, json.Length - offset));
        }

        if (TableEntitySize.Of(entity) is var size and > TableEntitySize.MaxBytes)
        {
            throw new RowTooLargeException(string.Create(CultureInfo.InvariantCulture,
                $"{name} is {json.Length} characters; beside the rest of its row that makes {size:N0} bytes as Table Storage counts them, and a row holds at most {TableEntitySize.MaxBytes:N0}"));
        }
    }

    public static string Read(TableEntity entity, string name)
    {
        var first = entity.GetString(name) ?? throw new InvalidDataException($"row {entity.PartitionKey}/{entity.RowKey} has no {name}");
        if (first.Length < ChunkCharacters)
        {
            return first;
        }

        var parts = new List<string> { first };
        for (var index = 1; entity.GetString(name + index) is { } part; index++)
        {
            parts.Add(part);
        }

        return string.Concat(parts);
    }
}
