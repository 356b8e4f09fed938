using Azure.Data.Tables;

namespace Containment;

/// <summary>
/// An entity's size as Table Storage counts it against its limit of 1 MiB: 4 bytes, the keys at two bytes a character,
/// and for each property 8 bytes, its name at two bytes a character, and its value (a string at two bytes a character
/// and 4 for its length). Azurite does not hold a row to this limit, so the rows are sized here.
/// </summary>
public static class TableEntitySize
{
    public const int MaxBytes = 1024 * 1024;

    private static readonly HashSet<string> SystemProperties =
        new([nameof(TableEntity.PartitionKey), nameof(TableEntity.RowKey), nameof(TableEntity.Timestamp), "odata.etag"], StringComparer.Ordinal);

    public static long Of(TableEntity entity)
    {
        long size = 4 + (((long)entity.PartitionKey.Length + entity.RowKey.Length) * 2);
        foreach (var (name, value) in entity)
        {
            if (!SystemProperties.Contains(name))
            {
                size += 8 + ((long)name.Length * 2) + ValueSize(value);
            }
        }

        return size;
    }

    private static long ValueSize(object? value) => value switch
    {
        string text => ((long)text.Length * 2) + 4,
        byte[] bytes => bytes.LongLength + 4,
        BinaryData binary => binary.ToMemory().Length + 4,
        Guid => 16,
        bool => 1,
        int => 4,
        DateTimeOffset or DateTime or long or double => 8,
        _ => 0,
    };
}
