using Azure.Data.Tables;

namespace Containment.Tests;

public sealed class TableJsonTests
{
    [Fact]
    public void Write_LongDocument_IsCutIntoPropertiesAndReadBackWhole()
    {
        var entity = new TableEntity("p", "r");
        var json = new string('x', 95_000);

        TableJson.Write(entity, "Record", json);

        Assert.Equal(["Record", "Record1", "Record2", "Record3"], entity.Keys.Where(key => key.StartsWith("Record", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(json, TableJson.Read(entity, "Record"));
    }

    [Fact]
    public void Write_TwoDocumentsEachWithinItsOwnLimitButTogetherPastTheRowsMiB_Refused()
    {
        // Table Storage counts a string's characters at two bytes each, and the row as a whole: 450,000 characters of
        // one document and 100,000 of another are 1.1 MB. The emulator takes such a row; the service answers 400.
        var entity = new TableEntity("p", "r");
        TableJson.Write(entity, "State", new string('s', TableJson.MaxCharacters));

        var refused = Assert.Throws<TableJson.RowTooLargeException>(() => TableJson.Write(entity, "Playbook", new string('p', 100_000)));

        Assert.Equal(
            "Playbook is 100000 characters; beside the rest of its row that makes 1,100,494 bytes as Table Storage counts them, and a row holds at most 1,048,576",
            refused.Message);
    }

    [Fact]
    public void Write_TwoDocumentsThatFitTogether_Written()
    {
        var entity = new TableEntity("p", "r");
        TableJson.Write(entity, "State", new string('s', TableJson.MaxCharacters));

        TableJson.Write(entity, "Playbook", new string('p', 70_000));

        Assert.Equal(70_000, TableJson.Read(entity, "Playbook").Length);
        Assert.True(TableEntitySize.Of(entity) <= TableEntitySize.MaxBytes, $"{TableEntitySize.Of(entity)} bytes");
    }

    [Fact]
    public void EntitySize_CountsAsTableStorageDoes()
    {
        // 4 for the entity, keys at two bytes a character, then per property 8, its name at two bytes a character, and
        // its value: a string's characters at two bytes each and 4 for its length, 8 for a date, 4 for an int, 1 for a bool.
        var entity = new TableEntity("pk", "rk")
        {
            ["Name"] = "abc",
            ["At"] = DateTimeOffset.UnixEpoch,
            ["Count"] = 3,
            ["Done"] = true,
        };

        Assert.Equal(4 + 8 + (8 + 8 + 10) + (8 + 4 + 8) + (8 + 10 + 4) + (8 + 8 + 1), TableEntitySize.Of(entity));
    }
}
