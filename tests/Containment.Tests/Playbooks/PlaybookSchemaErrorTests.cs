namespace Containment.Tests.Playbooks;

/// <summary>One test per kind of schema error, each asserting the exact pointer and message.</summary>
public sealed class PlaybookSchemaErrorTests
{
    [Fact]
    public void Parse_UnknownStepType_ReportsTypeWithAllowedTypes()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "explode" }]""");

        Assert.Equal(
            ["/steps/0/type: \"explode\" is not one of: isolate, release, approval, notify, wait, setEventStatus, deletePod, cordonNode, uncordonNode"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_IntegerPastInt64_ReportsItWhereTheValidatorWouldThrow()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "isolate", "retry": { "maxAttempts": 18446744073709551616 } }]""");

        Assert.Equal(
            ["/steps/0/retry/maxAttempts: 18446744073709551616 is out of range: a playbook's whole numbers lie within ±9223372036854775807"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_UnknownStepField_ReportsFieldWithExpectedFields()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "wait", "duration": "PT1M", "durration": "PT2M" }]""");

        Assert.Equal(
            ["/steps/0/durration: unknown field 'durration'; expected one of: type, id, description, when, retry, continueOnError, duration"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_UnknownTriggerField_ReportsField()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "isolate" }]""", trigger: """{ "category": ["malware"] }""");

        Assert.Equal(
            ["/trigger/category: unknown field 'category'; expected one of: manual, categories, minSeverity, clusters, namespaces, podLabels"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_MissingRequiredField_ReportsParentAndField()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "approval", "message": "ok?", "channels": ["c"] }]""");

        Assert.Equal(["/steps/0: missing required field 'timeout'"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_MissingStepId_ReportsStep()
    {
        var json = PlaybookText.With("""[{ "type": "cordonNode" }]""");

        Assert.Equal(["/steps/0: missing required field 'id'"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_StringForBoolean_ReportsTypeAndValue()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "isolate", "markEventProcessed": "yes" }]""");

        Assert.Equal(["/steps/0/markEventProcessed: expected true or false, got \"yes\""], PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_StringForInteger_ReportsTypeAndValue()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "isolate" }]""", extra: """, "priority": "high" """);

        Assert.Equal(["/priority: expected a whole number, got \"high\""], PlaybookText.Problems(json));
    }

    [Theory]
    [InlineData("5m")]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("-PT5M")]
    [InlineData("PT")]
    public void Parse_BadDuration_ReportsIso8601Hint(string duration)
    {
        var json = PlaybookText.With($$"""[{ "id": "a", "type": "wait", "duration": "{{duration}}" }]""");

        Assert.Equal([$"/steps/0/duration: \"{duration}\" is not an ISO 8601 duration such as PT30M, PT4H or P1DT12H"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_UnknownCategory_ReportsAllowedCategories()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "isolate" }]""", trigger: """{ "categories": ["malware", "rootkit"] }""");

        Assert.Equal(
            ["/trigger/categories/1: \"rootkit\" is not one of: container-escape, reverse-shell, abnormal-process, file-tampering, high-risk-syscall, malware, lateral-movement, crypto-mining, other"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_BadName_ReportsNamingRule()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "isolate" }]""").Replace("\"test-playbook\"", "\"Test Playbook\"", StringComparison.Ordinal);

        Assert.Equal(
            ["/name: \"Test Playbook\" is not a valid name: use lowercase letters, digits and dashes, starting with a letter or digit, at most 63 characters"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_EmptyChannelList_ReportsMinimum()
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "notify", "channels": [], "template": "isolated" }]""");

        Assert.Equal(["/steps/0/channels: needs at least 1 item(s)"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_FaultInNestedBranch_ReportsNestedPointer()
    {
        var json = PlaybookText.With("""
            [{ "id": "i", "type": "isolate" },
             { "id": "a", "type": "approval", "message": "m", "channels": ["c"], "timeout": "PT1H",
               "onApproved": [{ "id": "r", "type": "release", "bogus": true }] }]
            """);

        Assert.Equal(
            ["/steps/1/onApproved/0/bogus: unknown field 'bogus'; expected one of: type, id, description, when, retry, continueOnError, reason"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_SeveralFaults_ReportsEveryOne()
    {
        var json = PlaybookText.With("""
            [{ "id": "a", "type": "isolate", "allowPartial": 1 },
             { "id": "b", "type": "wait", "duration": "soon" }]
            """);

        Assert.Equal(
            ["/steps/0/allowPartial: expected true or false, got 1", "/steps/1/duration: \"soon\" is not an ISO 8601 duration such as PT30M, PT4H or P1DT12H"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_DuplicateKey_ReportedWithItsPlace_NotThrown()
    {
        var once = PlaybookText.With("""[{ "id": "a", "type": "isolate", "id": "b" }]""");
        var nested = PlaybookText.With("""[{ "id": "a", "type": "isolate" }]""", trigger: """{ "podLabels": { "app": "web", "app": "db" } }""");

        Assert.Equal(["/steps/0/id: this key is given twice in its object; keep one"], PlaybookText.Problems(once));
        Assert.Equal(["/trigger/podLabels/app: this key is given twice in its object; keep one"], PlaybookText.Problems(nested));
    }

    [Theory]
    [InlineData("app.kubernetes.io/name", "/trigger/podLabels/app.kubernetes.io~1name")]
    [InlineData("team[x]", "/trigger/podLabels/team[x]")]
    [InlineData("it's", "/trigger/podLabels/it's")]
    public void Parse_PodLabelOfWrongType_PointsAtTheLabelWhateverItsName(string label, string pointer)
    {
        var json = PlaybookText.With("""[{ "id": "a", "type": "isolate" }]""", trigger: $$"""{ "categories": ["reverse-shell"], "podLabels": { "{{label}}": 5 } }""");

        Assert.Equal([$"{pointer}: expected a string, got 5"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_MalformedJson_ReportsLineAndColumn()
    {
        var json = "{ \"name\": \"x\",\n  \"steps\": [ }";

        Assert.Equal(["/: not valid JSON at line 2, column 14: '}' is an invalid start of a value"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Parse_MalformedJson_ReturnsNoPlaybook()
    {
        var result = PlaybookText.Parse("[");

        Assert.Null(result.Playbook);
        Assert.False(result.IsValid);
    }
}
