using Containment.Playbooks;
using Containment.Playbooks.Validation;
using Microsoft.Extensions.Configuration;

namespace Containment.Tests.Playbooks;

/// <summary>One test per semantic rule, each asserting the exact pointer and message.</summary>
public sealed class PlaybookSemanticErrorTests
{
    private static readonly PlaybookValidationContext Settings = new()
    {
        Channels = new HashSet<string>(["soc-teams", "soc-email"], StringComparer.Ordinal),
        Approvers = new HashSet<string>(["ana@contoso.com"], StringComparer.OrdinalIgnoreCase),
    };

    [Fact]
    public void Validate_DuplicateStepIdInBranch_ReportsSecondWithFirst()
    {
        var json = PlaybookText.With("""
            [{ "id": "isolate", "type": "isolate" },
             { "id": "ask", "type": "approval", "message": "m", "channels": ["soc-teams"], "timeout": "PT1H",
               "onRejected": [{ "id": "isolate", "type": "cordonNode" }] }]
            """);

        Assert.Equal(["/steps/1/onRejected/0/id: duplicate step id 'isolate' (first used at /steps/0)"], PlaybookText.Problems(json));
    }

    /// <summary>
    /// A run's row keeps its playbook beside its state, within the row's 1 MiB: a playbook longer than the room left
    /// beside the longest state is refused when it loads, rather than failing the first run that meets a long alert.
    /// </summary>
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void Validate_PlaybookLongerThanARunsRowKeeps_RefusedSayingHowLong(int past, bool loads)
    {
        var json = NotifyWithMessageStoredAs(PlaybookLimits.LongestStoredCharacters + past);

        var problems = PlaybookText.Problems(json);

        Assert.Equal(
            loads ? [] : [string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/: the playbook is {PlaybookLimits.LongestStoredCharacters + past:N0} characters as a run keeps it, and a run's row has room for {PlaybookLimits.LongestStoredCharacters:N0} beside the run's state; shorten its messages or split it")],
            problems);
    }

    /// <summary>A valid playbook whose notify message makes it <paramref name="stored"/> characters as a run keeps it.</summary>
    private static string NotifyWithMessageStoredAs(int stored)
    {
        static string With(int message) => PlaybookText.With($$"""[{ "id": "tell", "type": "notify", "channels": ["soc-teams"], "template": "isolated", "message": "{{new string('m', message)}}" }]""");
        var rest = System.Text.Json.JsonSerializer.Serialize(PlaybookText.Parse(With(1)).Playbook!, ContainmentJson.Options).Length - 1;
        return With(stored - rest);
    }

    [Fact]
    public void Validate_UnknownChannel_ReportsConfiguredChannels()
    {
        var json = PlaybookText.With("""[{ "id": "tell", "type": "notify", "channels": ["soc-teams", "soc-slack"], "template": "isolated" }]""");

        Assert.Equal(["/steps/0/channels/1: unknown channel 'soc-slack'; configured: soc-email, soc-teams"], PlaybookText.Problems(json, Settings));
    }

    [Fact]
    public void Validate_ChannelNamedInAnotherCase_IsTheConfiguredChannel()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Containment:Notifications:Channels:soc-teams:Type"] = "teams",
        }).Build();
        var json = PlaybookText.With("""[{ "id": "tell", "type": "notify", "channels": ["SOC-Teams"], "template": "isolated" }]""");

        Assert.Empty(PlaybookText.Problems(json, PlaybookRepository.ContextFrom(configuration)));
    }

    [Fact]
    public void Validate_UnknownChannelWithoutSettings_IsNotChecked()
    {
        var json = PlaybookText.With("""[{ "id": "tell", "type": "notify", "channels": ["anything"], "template": "isolated" }]""");

        Assert.Empty(PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_UnknownApprover_ReportsIt()
    {
        var json = PlaybookText.With("""
            [{ "id": "isolate", "type": "isolate" },
             { "id": "ask", "type": "approval", "message": "m", "channels": ["soc-email"], "timeout": "PT1H", "approvers": ["ANA@contoso.com", "eve@contoso.com"] }]
            """);

        Assert.Equal(["/steps/1/approvers/1: unknown approver 'eve@contoso.com'; configured: ana@contoso.com"], PlaybookText.Problems(json, Settings));
    }

    [Theory]
    [InlineData("onApproved")]
    [InlineData("onRejected")]
    [InlineData("onTimeout")]
    public void Validate_EmptyBranch_ReportsBranch(string branch)
    {
        var json = PlaybookText.With($$"""
            [{ "id": "isolate", "type": "isolate" },
             { "id": "ask", "type": "approval", "message": "m", "channels": ["c"], "timeout": "PT1H", "{{branch}}": [] }]
            """);

        Assert.Equal([$"/steps/1/{branch}: empty branch: give '{branch}' steps, or leave it out to go on with the next step"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_EmptyOnFailure_ReportsIt()
    {
        var json = PlaybookText.With("""[{ "id": "isolate", "type": "isolate" }]""", extra: """, "onFailure": [] """);

        Assert.Equal(["/onFailure: empty branch: give 'onFailure' steps, or leave it out to go on with the next step"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_CategoryConditionOutsideTrigger_ReportsUnreachable()
    {
        var json = PlaybookText.With("""[{ "id": "isolate", "type": "isolate", "when": { "category": { "in": ["malware", "crypto-mining"] } } }]""");

        Assert.Equal(["/steps/0/when: unreachable: the trigger takes only reverse-shell alerts, so the category test never holds"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_SeverityConditionBelowTrigger_ReportsUnreachable()
    {
        var json = PlaybookText.With(
            """[{ "id": "isolate", "type": "isolate", "when": { "severity": { "atMost": "low" } } }]""",
            trigger: """{ "categories": ["malware"], "minSeverity": "high" }""");

        Assert.Equal(["/steps/0/when: unreachable: the trigger takes only alerts of severity high and above, so the severity test never holds"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ReachableCondition_IsAccepted()
    {
        var json = PlaybookText.With(
            """[{ "id": "isolate", "type": "isolate", "when": { "severity": { "atLeast": "high" }, "namespace": { "notIn": ["dev"] } } }]""",
            trigger: """{ "categories": ["malware"], "minSeverity": "medium" }""");

        Assert.Empty(PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ReleaseBeforeIsolate_ReportsRelease()
    {
        var json = PlaybookText.With("""[{ "id": "free", "type": "release" }, { "id": "isolate", "type": "isolate" }]""");

        Assert.Equal(
            ["/steps/0: release 'free' can run before any isolate on some path: isolate first (without 'when' or 'continueOnError'), or move the release into a branch that follows one"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ReleaseAfterConditionalIsolate_ReportsRelease()
    {
        var json = PlaybookText.With("""
            [{ "id": "isolate", "type": "isolate", "when": { "namespace": { "is": "prod" } } },
             { "id": "free", "type": "release" }]
            """);

        Assert.Equal(
            ["/steps/1: release 'free' can run before any isolate on some path: isolate first (without 'when' or 'continueOnError'), or move the release into a branch that follows one"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ReleaseAfterAnApprovalThatMayFailAndGoOn_ReportsRelease()
    {
        // Every branch isolates, but a request that fails (the chat channel is down) goes on past the branches.
        var json = PlaybookText.With("""
            [{ "id": "ask", "type": "approval", "message": "m", "channels": ["c"], "timeout": "PT1H", "continueOnError": true,
               "onApproved": [{ "id": "a", "type": "isolate" }], "onRejected": [{ "id": "r", "type": "isolate" }],
               "onTimeout": [{ "id": "t", "type": "isolate" }] },
             { "id": "free", "type": "release" }]
            """);

        Assert.Equal(
            ["/steps/1: release 'free' can run before any isolate on some path: isolate first (without 'when' or 'continueOnError'), or move the release into a branch that follows one"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ReleaseAfterAnApprovalWhoseEveryBranchIsolates_IsValid()
    {
        var json = PlaybookText.With("""
            [{ "id": "ask", "type": "approval", "message": "m", "channels": ["c"], "timeout": "PT1H",
               "onApproved": [{ "id": "a", "type": "isolate" }], "onRejected": [{ "id": "r", "type": "isolate" }],
               "onTimeout": [{ "id": "t", "type": "isolate" }] },
             { "id": "free", "type": "release" }]
            """);

        Assert.Empty(PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ReleaseAfterIsolateInApprovedBranchOnly_ReportsLaterRelease()
    {
        var json = PlaybookText.With("""
            [{ "id": "ask", "type": "approval", "message": "m", "channels": ["c"], "timeout": "PT1H",
               "onApproved": [{ "id": "isolate", "type": "isolate" }] },
             { "id": "free", "type": "release" }]
            """);

        Assert.Equal(
            ["/steps/1: release 'free' can run before any isolate on some path: isolate first (without 'when' or 'continueOnError'), or move the release into a branch that follows one"],
            PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ReleaseInBranchAfterIsolate_IsAccepted()
    {
        var json = PlaybookText.With("""
            [{ "id": "ask", "type": "approval", "message": "m", "channels": ["c"], "timeout": "PT1H",
               "onApproved": [{ "id": "isolate", "type": "isolate" }, { "id": "free", "type": "release" }] }]
            """);

        Assert.Empty(PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ReleaseInManualPlaybook_IsAccepted()
    {
        var json = PlaybookText.With("""[{ "id": "free", "type": "release" }]""", trigger: """{ "manual": true }""");

        Assert.Empty(PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ZeroDurations_ReportsEach()
    {
        var json = PlaybookText.With("""
            [{ "id": "pause", "type": "wait", "duration": "PT0S" },
             { "id": "ask", "type": "approval", "message": "m", "channels": ["c"], "timeout": "P0D" }]
            """);

        Assert.Equal(["/steps/0/duration: must be longer than zero", "/steps/1/timeout: must be longer than zero"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_DurationsPastAYearAndADay_ReportsEach()
    {
        // P3000000D from now is past the year 9999, which no moment can hold; P366D is the longest taken.
        var json = PlaybookText.With("""
            [{ "id": "pause", "type": "wait", "duration": "P3000000D" },
             { "id": "ask", "type": "approval", "message": "m", "channels": ["c"], "timeout": "P367D" },
             { "id": "isolate", "type": "isolate", "retry": { "firstInterval": "P400D", "maxInterval": "P500D" } },
             { "id": "longest", "type": "wait", "duration": "P366D" }]
            """);

        Assert.Equal(
            [
                "/steps/0/duration: must be at most P366D",
                "/steps/1/timeout: must be at most P366D",
                "/steps/2/retry/firstInterval: must be at most P366D",
                "/steps/2/retry/maxInterval: must be at most P366D",
            ],
            PlaybookText.Problems(json));
    }

    [Theory]
    [InlineData("PT0.5S", "/steps/0/gracePeriod: must be whole seconds: Kubernetes takes a pod's grace period in seconds")]
    [InlineData("PT30.25S", "/steps/0/gracePeriod: must be whole seconds: Kubernetes takes a pod's grace period in seconds")]
    [InlineData("P30000D", "/steps/0/gracePeriod: must be at most P366D")]
    public void Validate_DeletePodGracePeriodNotWholeSecondsOrTooLong_Reported(string gracePeriod, string expected)
    {
        // Sent as an int of seconds: PT0.5S would be a delete with no grace, P30000D past int's range.
        var json = PlaybookText.With($$"""[{ "id": "delete", "type": "deletePod", "gracePeriod": "{{gracePeriod}}" }]""");

        Assert.Equal([expected], PlaybookText.Problems(json));
    }

    [Theory]
    [InlineData("PT0S")]
    [InlineData("PT30S")]
    [InlineData("P366D")]
    public void Validate_DeletePodGracePeriodInWholeSeconds_Taken(string gracePeriod)
    {
        var json = PlaybookText.With($$"""[{ "id": "delete", "type": "deletePod", "gracePeriod": "{{gracePeriod}}" }]""");

        Assert.Empty(PlaybookText.Problems(json));
    }

    [Theory]
    [InlineData(null, 20, "P366D")] // 5 s times 10^19 is past any moment a run could keep: a year and a day
    [InlineData("PT1H", 20, "PT1H")]
    [InlineData(null, 2, "PT50S")]
    public void RetryDelay_NeverPastTheLongest(string? maxInterval, int attempt, string expected)
    {
        var policy = new Containment.Playbooks.StepRetryPolicy
        {
            FirstInterval = TimeSpan.FromSeconds(5),
            BackoffCoefficient = 10,
            MaxInterval = maxInterval is null ? null : System.Xml.XmlConvert.ToTimeSpan(maxInterval),
        };

        Assert.Equal(System.Xml.XmlConvert.ToTimeSpan(expected), policy.DelayAfter(attempt));
    }

    [Fact]
    public void Validate_RetryMaxBelowFirst_ReportsMaxInterval()
    {
        var json = PlaybookText.With("""[{ "id": "isolate", "type": "isolate", "retry": { "firstInterval": "PT1M", "maxInterval": "PT10S" } }]""");

        Assert.Equal(["/steps/0/retry/maxInterval: is shorter than firstInterval"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_RetryWithZeroFirstInterval_ReportsFirstInterval()
    {
        var json = PlaybookText.With("""[{ "id": "isolate", "type": "isolate", "retry": { "maxAttempts": 3, "firstInterval": "PT0S" } }]""");

        Assert.Equal(["/steps/0/retry/firstInterval: must be longer than zero"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_ManualTriggerWithCategories_ReportsCategories()
    {
        var json = PlaybookText.With("""[{ "id": "isolate", "type": "isolate" }]""", trigger: """{ "manual": true, "categories": ["malware"] }""");

        Assert.Equal(["/trigger/categories: a manual trigger takes no alerts: remove 'categories' or 'manual'"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_NamespaceIncludedAndExcluded_ReportsFilter()
    {
        var json = PlaybookText.With(
            """[{ "id": "isolate", "type": "isolate" }]""",
            trigger: """{ "namespaces": { "include": ["prod"], "exclude": ["PROD"] } }""");

        Assert.Equal(["/trigger/namespaces: 'prod' is both included and excluded"], PlaybookText.Problems(json));
    }

    [Fact]
    public void Validate_SemanticFaults_ReportsEveryOneAtOnce()
    {
        var json = PlaybookText.With("""
            [{ "id": "a", "type": "release" },
             { "id": "a", "type": "wait", "duration": "PT0S" }]
            """);

        Assert.Equal(3, PlaybookText.Problems(json).Length);
    }
}
