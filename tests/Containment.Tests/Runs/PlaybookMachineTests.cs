using System.Text.Json;
using Containment.Activities;
using Containment.Alerts;
using Containment.Approvals;
using Containment.Isolation;
using Containment.Runs.Machine;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

public sealed class PlaybookMachineTests
{
    [Fact]
    public void Next_EscapePlaybookApproved_IsolatesNotifiesWaitsThenReleases()
    {
        var run = MachineDriver.ForShipped(Escape);

        run.Begin();
        var isolate = run.ExpectActivities(ActivityNames.IsolatePod);
        Assert.Equal(5, isolate.Calls[0].Retry!.MaxAttempts);
        run.CompleteAll(new { policy = "containment-quarantine-api-7d9f" });
        var notify = run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);
        Assert.Equal(["soc-teams", "soc-email"], notify.Calls.Select(call => call.Request.Channel));
        run.CompleteAll();
        var request = run.ExpectActivities(ActivityNames.RequestApproval);
        Assert.Equal("approval-approve-release-1", request.Calls[0].Request.EventName);
        run.CompleteAll();
        var wait = Assert.IsType<WaitFor>(run.Command);
        Assert.Equal("approval-approve-release-1", wait.EventName);
        Assert.Equal(MachineDriver.Start + TimeSpan.FromHours(8), wait.Deadline);
        run.Decide(ApprovalVerdict.Approved, comment: "checked, clean");
        run.ExpectActivities(ActivityNames.ReleasePod);
        run.CompleteAll();
        run.ExpectActivities(ActivityNames.Notify);
        run.CompleteAll();

        Assert.Equal(new RunOutcome(RunResult.Succeeded), run.ExpectFinished());
        Assert.Equal(StepOutcome.Skipped, run.OutcomeOf("cordon-node"));
        Assert.Equal(StepOutcome.Skipped, run.OutcomeOf("uncordon-node"));
        Assert.Equal(StepOutcome.Approved, run.OutcomeOf("approve-release"));
        Assert.Equal("approved by ana@contoso.com: checked, clean", run.State!.History.Single(record => record.StepId == "approve-release").Detail);
        Assert.Equal(
            ["isolate", "cordon-node", "tell-soc", "approve-release", "release", "uncordon-node", "tell-released"],
            run.State.History.Select(record => record.StepId));
    }

    [Fact]
    public void EndFailed_StepUnderWay_FailsItAndTheRun_WithoutRunningOnFailure()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        run.CompleteAll();
        run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);
        var at = run.Now + TimeSpan.FromMinutes(1);

        var ended = PlaybookMachine.EndFailed(run.State!, "its state cannot be stored", at);

        Assert.Equal((RunPhase.Finished, new RunOutcome(RunResult.Failed, "its state cannot be stored")), (ended.Phase, ended.Outcome));
        Assert.Empty(ended.Pending);
        Assert.Equal(new FinishRun(ended.Outcome!), PlaybookMachine.Repeat(ended));
        Assert.Equal(["isolate", "cordon-node", "tell-soc"], ended.History.Select(record => record.StepId));
        var notify = ended.History[^1];
        Assert.Equal((StepOutcome.Failed, at, "its state cannot be stored"), (notify.Outcome, notify.EndedAt, notify.Detail));
        Assert.Equal(StepOutcome.Succeeded, ended.History[0].Outcome);
    }

    [Fact]
    public void EndFailed_WhileOnFailureRuns_SaysWhatFailedFirst()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        run.FailAll("forbidden");
        run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);

        var ended = PlaybookMachine.EndFailed(run.State!, "its state cannot be stored", run.Now);

        Assert.Equal("step 'isolate' (isolate) failed: forbidden; then its state cannot be stored", ended.Outcome!.Reason);
        Assert.Equal(StepOutcome.Failed, ended.History.Single(record => record.StepId == "tell-failed").Outcome);
    }

    [Fact]
    public void IsolationWarnings_TheMessagesWhileThePodIsHeldCarryThoseThatMayLeaveTrafficOpen_NotOnceReleased()
    {
        const string Kept = "Calico keeps connections established before the policy; restart or delete the pod to cut them";
        var (isolate, told, asked, release, released) = ApprovedEscape(new
        {
            status = "isolated",
            warnings = new[]
            {
                new { kind = "established-connections-kept", message = Kept },
                new { kind = "cilium-policy-best-effort", message = "a CiliumNetworkPolicy was applied because the cluster serves the CRD" },
            },
        });

        Assert.Empty(isolate.Calls[0].Request.IsolationWarnings);
        Assert.All(told.Calls, call => Assert.Equal([Kept], call.Request.IsolationWarnings));
        Assert.Equal([Kept], asked.Calls[0].Request.IsolationWarnings);
        Assert.Empty(release.Calls[0].Request.IsolationWarnings);
        Assert.Empty(released.Calls[0].Request.IsolationWarnings);
    }

    [Fact]
    public void IsolationWarnings_AnOutputOfAnotherShape_NoneAndTheRunGoesOn()
    {
        var run = MachineDriver.ForShipped(Escape);

        run.Begin();
        run.CompleteAll(new { warnings = new object[] { "not an object", new { message = 42 }, new { kind = "verification-failed" } } });
        var told = run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);

        Assert.All(told.Calls, call => Assert.Empty(call.Request.IsolationWarnings));
    }

    [Fact]
    public void PodOwnership_EveryMessageOfTheRunCarriesWhoOwnedThePodWhenItWasIsolated_ReleasedOnesToo()
    {
        var owner = new PodOwnership(new PodController(PodOwnership.ReplicaSet, "api-7d9f8"));

        var (isolate, told, asked, release, released) = ApprovedEscape(Outcome(owner));

        Assert.Null(isolate.Calls[0].Request.PodOwnership);
        Assert.All(told.Calls, call => Assert.Equal(owner, call.Request.PodOwnership));
        Assert.Null(asked.Calls[0].Request.PodOwnership);
        Assert.Null(release.Calls[0].Request.PodOwnership);
        Assert.Equal(owner, released.Calls[0].Request.PodOwnership);
    }

    public static TheoryData<PodOwnership?> Ownerships() => [null, new PodOwnership(null), new PodOwnership(new PodController(PodOwnership.StatefulSet, "db"))];

    [Theory]
    [MemberData(nameof(Ownerships))]
    public void PodOwnership_AsTheIsolationSaidIt_NoneAndUnknownKeptApart(PodOwnership? said)
    {
        var run = MachineDriver.ForShipped(Escape);

        run.Begin();
        run.CompleteAll(Outcome(said));
        var told = run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);

        Assert.All(told.Calls, call => Assert.Equal(said, call.Request.PodOwnership));
    }

    /// <summary>The shipped escape playbook's run, its isolation answered with <paramref name="isolated"/>, approved, up to its released message.</summary>
    private static (RunActivities Isolate, RunActivities Told, RunActivities Asked, RunActivities Release, RunActivities Released) ApprovedEscape(object isolated)
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        var isolate = run.ExpectActivities(ActivityNames.IsolatePod);
        run.CompleteAll(isolated);
        var told = run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);
        run.CompleteAll();
        var asked = run.ExpectActivities(ActivityNames.RequestApproval);
        run.CompleteAll();
        run.Decide(ApprovalVerdict.Approved);
        var release = run.ExpectActivities(ActivityNames.ReleasePod);
        run.CompleteAll();
        return (isolate, told, asked, release, run.ExpectActivities(ActivityNames.Notify));
    }

    private static JsonElement Outcome(PodOwnership? ownership) => JsonSerializer.SerializeToElement(
        new IsolationOutcome { Status = IsolationStatus.Isolated, Cluster = "aks-prod", Namespace = "payments", Pod = "api-7d9f8-abcde", Ownership = ownership },
        ContainmentJson.Options);

    [Fact]
    public void StoresRunEvent_OnlyTheCallsOfTheFirstStepThatMakesCalls()
    {
        var run = new MachineDriver(MachineDriver.FromSteps(
            """
            [{ "id": "skipped", "type": "isolate", "when": { "category": { "is": "malware" } } }, { "id": "pause", "type": "wait", "duration": "PT1M" },
             { "id": "tell", "type": "notify", "channels": ["a", "b"], "template": "isolated" }, { "id": "isolate", "type": "isolate" }]
            """));

        run.Begin();
        run.FireTimer();
        var first = run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);
        run.CompleteAll();
        var second = run.ExpectActivities(ActivityNames.IsolatePod);

        Assert.Equal(StepOutcome.Skipped, run.OutcomeOf("skipped"));
        Assert.All(first.Calls, call => Assert.True(call.Request.StoresRunEvent));
        Assert.False(second.Calls[0].Request.StoresRunEvent);
    }

    [Fact]
    public void IsPastWait_OnlyOnceTheWaitWasBegunAndEnded()
    {
        const string First = "approval-approve-release-1";
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        var beforeTheStep = PlaybookMachine.IsPastWait(run.State!, First);
        run.CompleteAll();
        run.CompleteAll();
        var requestInFlight = PlaybookMachine.IsPastWait(run.State!, First);
        run.CompleteAll();
        var waiting = PlaybookMachine.IsPastWait(run.State!, First);
        run.Decide(ApprovalVerdict.Approved);

        Assert.False(beforeTheStep);
        Assert.False(requestInFlight);
        Assert.False(waiting);
        Assert.True(PlaybookMachine.IsPastWait(run.State!, First));
        Assert.True(PlaybookMachine.IsPastWait(run.State!, "APPROVAL-approve-release-1"));
        Assert.False(PlaybookMachine.IsPastWait(run.State!, "approval-approve-release-2"));
        Assert.False(PlaybookMachine.IsPastWait(run.State!, "approval-tell-soc-1"));
        Assert.False(PlaybookMachine.IsPastWait(run.State!, "approval-approve-release-"));
        Assert.False(PlaybookMachine.IsPastWait(run.State!, "approval-1"));
        Assert.False(PlaybookMachine.IsPastWait(run.State!, "wait-approve-release-1"));
    }

    [Fact]
    public void IsPastWait_TimedOut_IsPast()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        run.CompleteAll();
        run.CompleteAll();
        run.CompleteAll();

        run.FireTimer();

        Assert.True(PlaybookMachine.IsPastWait(run.State!, "approval-approve-release-1"));
    }

    [Fact]
    public void Next_EscapePlaybookRejected_KeepsIsolatedAndSaysSo()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        run.CompleteAll();
        run.CompleteAll();
        run.CompleteAll();

        run.Decide(ApprovalVerdict.Rejected, by: "ben@contoso.com");
        var tell = run.ExpectActivities(ActivityNames.Notify);
        Assert.Equal("ben@contoso.com", tell.Calls[0].Request.LastDecision!.By);
        run.CompleteAll();

        run.ExpectFinished();
        Assert.Equal(StepOutcome.Rejected, run.OutcomeOf("approve-release"));
        Assert.DoesNotContain(run.State!.History, record => record.StepId == "release");
    }

    [Fact]
    public void Next_EscapePlaybookTimedOut_EscalatesAndKeepsIsolated()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        run.CompleteAll();
        run.CompleteAll();
        run.CompleteAll();

        run.FireTimer();
        var escalate = run.ExpectActivities(ActivityNames.Notify);
        Assert.Equal("soc-oncall", escalate.Calls[0].Request.Channel);
        run.CompleteAll();

        run.ExpectFinished();
        Assert.Equal(StepOutcome.TimedOut, run.OutcomeOf("approve-release"));
        Assert.Equal("no decision within PT8H", run.State!.History.Single(record => record.StepId == "approve-release").Detail);
    }

    [Fact]
    public void Next_ContainerEscape_CordonsTheNode_AndAnApprovedReleaseGivesItBack()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin(MachineDriver.Alert(AlertCategory.ContainerEscape));
        run.CompleteAll();

        run.ExpectActivities(ActivityNames.CordonNode);
        run.CompleteAll();
        run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);
        run.CompleteAll();
        run.ExpectActivities(ActivityNames.RequestApproval);
        run.CompleteAll();
        run.Decide(ApprovalVerdict.Approved, comment: "node checked");
        run.ExpectActivities(ActivityNames.ReleasePod);
        run.CompleteAll();
        var uncordon = run.ExpectActivities(ActivityNames.UncordonNode);
        Assert.Equal(5, uncordon.Calls[0].Retry!.MaxAttempts);
        run.FailAll("forbidden: the identity may not patch nodes \"aks-nodepool1-0\"");
        run.ExpectActivities(ActivityNames.Notify);
        run.CompleteAll();

        // The pod is given back even when its node cannot be: the failure is in the run's history.
        Assert.Equal(new RunOutcome(RunResult.Succeeded), run.ExpectFinished());
        Assert.Equal(StepOutcome.FailedContinued, run.OutcomeOf("uncordon-node"));
    }

    [Fact]
    public void Next_StepFailsWithOnFailure_RunsOnFailureThenFails()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();

        run.FailAll("forbidden: may not patch pods in payments");
        var tell = run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);
        Assert.Equal("step 'isolate' (isolate) failed: forbidden: may not patch pods in payments", tell.Calls[0].Request.FailureReason);
        run.CompleteAll();

        Assert.Equal(new RunOutcome(RunResult.Failed, "step 'isolate' (isolate) failed: forbidden: may not patch pods in payments"), run.ExpectFinished());
        Assert.Equal(StepOutcome.Failed, run.OutcomeOf("isolate"));
    }

    [Fact]
    public void Next_OnFailureStepAlsoFails_ReportsBothReasons()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        run.FailAll("boom");

        run.FailAll("webhook answered 500");

        var outcome = run.ExpectFinished();
        Assert.Equal(RunResult.Failed, outcome.Result);
        Assert.Equal("step 'isolate' (isolate) failed: boom; then step 'tell-failed' (notify) failed: webhook answered 500; webhook answered 500", outcome.Reason);
    }

    [Fact]
    public void Next_StepFailsWithoutOnFailure_FailsTheRun()
    {
        var run = new MachineDriver(MachineDriver.FromSteps("""[{ "id": "isolate", "type": "isolate" }, { "id": "mark", "type": "setEventStatus", "status": "processed" }]"""));
        run.Begin();

        run.FailAll("pod not found");

        Assert.Equal(new RunOutcome(RunResult.Failed, "step 'isolate' (isolate) failed: pod not found"), run.ExpectFinished());
    }

    [Fact]
    public void Next_ContinueOnErrorStepFails_GoesOn()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        run.CompleteAll();

        run.FailAll("teams webhook answered 403");

        run.ExpectActivities(ActivityNames.RequestApproval);
        Assert.Equal(StepOutcome.FailedContinued, run.OutcomeOf("tell-soc"));
    }

    [Fact]
    public void Next_OneOfParallelCallsFails_StepFailsOnlyWhenAllReported()
    {
        var run = new MachineDriver(MachineDriver.FromSteps("""[{ "id": "tell", "type": "notify", "channels": ["a", "b"], "template": "isolated" }]"""));
        run.Begin();
        var calls = run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify).Calls;

        Assert.IsType<NoCommand>(run.Feed(new ActivityFailed(run.Now, calls[0].CallId, "a is down")));
        run.Feed(new ActivityCompleted(run.Now, calls[1].CallId));

        Assert.Equal(new RunOutcome(RunResult.Failed, "step 'tell' (notify) failed: a is down"), run.ExpectFinished());
    }

    [Fact]
    public void Next_WaitStep_SetsTimerThenGoesOn()
    {
        var run = new MachineDriver(MachineDriver.FromSteps("""[{ "id": "pause", "type": "wait", "duration": "PT15M" }, { "id": "kill", "type": "deletePod", "gracePeriod": "PT0S" }]"""));

        var wait = Assert.IsType<WaitFor>(run.Begin());
        Assert.Null(wait.EventName);
        Assert.Equal(MachineDriver.Start + TimeSpan.FromMinutes(15), wait.Deadline);
        run.FireTimer();

        run.ExpectActivities(ActivityNames.DeletePod);
    }

    [Fact]
    public void Next_MalwarePlaybook_IsolatesAndNeverMarksProcessed()
    {
        var run = MachineDriver.ForShipped("malware");
        run.Begin(MachineDriver.Alert(AlertCategory.Malware));

        var isolate = run.ExpectActivities(ActivityNames.IsolatePod);
        Assert.False(((Containment.Playbooks.IsolateStep)isolate.Calls[0].Request.Step).MarkEventProcessed);
        run.CompleteAll();
        run.CompleteAll();
        var handle = run.ExpectActivities(ActivityNames.Notify, ActivityNames.Notify);
        Assert.Equal(Containment.Playbooks.NotificationTemplate.MalwareNeedsHandling, ((Containment.Playbooks.NotifyStep)handle.Calls[0].Request.Step).Template);
        run.CompleteAll();
        run.ExpectFinished();
    }

    [Fact]
    public void Next_ConfirmPlaybookApprovedTwice_UsesOneEventNamePerWait()
    {
        var run = MachineDriver.ForShipped("confirm-suspicious-activity");
        run.Begin(MachineDriver.Alert(AlertCategory.AbnormalProcess));
        run.CompleteAll();
        var first = Assert.IsType<WaitFor>(run.Command).EventName;
        run.Decide(ApprovalVerdict.Approved);
        run.ExpectActivities(ActivityNames.IsolatePod);
        run.CompleteAll();
        run.CompleteAll();
        run.CompleteAll();

        var second = Assert.IsType<WaitFor>(run.Command).EventName;
        run.Decide(ApprovalVerdict.Approved);
        run.ExpectActivities(ActivityNames.ReleasePod);

        Assert.Equal("approval-approve-isolation-1", first);
        Assert.Equal("approval-approve-release-1", second);
    }

    [Fact]
    public void Next_ConfirmPlaybookRejected_MarksEventIgnored()
    {
        var run = MachineDriver.ForShipped("confirm-suspicious-activity");
        run.Begin(MachineDriver.Alert(AlertCategory.FileTampering));
        run.CompleteAll();

        run.Decide(ApprovalVerdict.Rejected);

        var mark = run.ExpectActivities(ActivityNames.SetEventStatus);
        Assert.Equal(EventStatus.Ignored, ((Containment.Playbooks.SetEventStatusStep)mark.Calls[0].Request.Step).Status);
    }

    [Fact]
    public void Next_EventBeforeTheWait_IsNotTaken()
    {
        var run = MachineDriver.ForShipped("confirm-suspicious-activity");
        run.Begin(MachineDriver.Alert(AlertCategory.AbnormalProcess));
        var request = run.ExpectActivities(ActivityNames.RequestApproval).Calls[0];
        var decision = MachineDriver.Decision(ApprovalVerdict.Approved, "ana", run.Now);

        // The approval request is still being sent: the run is not waiting yet, so the driver must keep the event.
        Assert.IsType<NoCommand>(run.Feed(new EventReceived(run.Now, "approval-approve-isolation-1", decision)));
        Assert.IsType<WaitFor>(run.Feed(new ActivityCompleted(run.Now, request.CallId)));
        run.Feed(new EventReceived(run.Now, "approval-approve-isolation-1", decision));

        run.ExpectActivities(ActivityNames.IsolatePod);
    }

    [Fact]
    public void Next_EventOfAnotherName_IsIgnored()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        run.CompleteAll();
        run.CompleteAll();
        run.CompleteAll();
        var decision = MachineDriver.Decision(ApprovalVerdict.Approved, "ana", run.Now);

        Assert.IsType<NoCommand>(run.Feed(new EventReceived(run.Now, "approval-approve-release-2", decision)));
        Assert.Equal(RunPhase.Waiting, run.State!.Phase);
    }

    [Fact]
    public void Next_ResultReportedTwice_IsTakenOnce()
    {
        var run = new MachineDriver(MachineDriver.FromSteps("""[{ "id": "isolate", "type": "isolate" }, { "id": "cordon", "type": "cordonNode" }]"""));
        run.Begin();
        var callId = run.ExpectActivities(ActivityNames.IsolatePod).Calls[0].CallId;
        run.Feed(new ActivityCompleted(run.Now, callId));
        var cordon = run.ExpectActivities(ActivityNames.CordonNode);

        var again = run.Feed(new ActivityCompleted(run.Now, callId));

        Assert.IsType<NoCommand>(again);
        Assert.Equal(cordon.Calls[0].CallId, Assert.Single(run.State!.Pending).CallId);
        Assert.Equal(StepOutcome.Succeeded, run.OutcomeOf("isolate"));
    }

    [Fact]
    public void Next_Terminate_FinishesTerminated()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();

        run.Feed(new TerminateRequested(run.Now, "released by hand"));

        Assert.Equal(new RunOutcome(RunResult.Terminated, "released by hand"), run.ExpectFinished());
    }

    [Fact]
    public void Next_TerminateOnlyAnotherPlaybook_LeavesTheRunAsItWas()
    {
        var playbook = MachineDriver.Shipped(Escape);
        var (running, _) = PlaybookMachine.Next(playbook, null, new RunStarted(MachineDriver.Start, "prod~payments~api-7d9f", MachineDriver.Alert()));

        var (other, otherCommand) = PlaybookMachine.Next(playbook, running, new TerminateRequested(MachineDriver.Start, "taken over", OnlyPlaybook: "confirm-suspicious-activity"));
        var (own, ownCommand) = PlaybookMachine.Next(playbook, running, new TerminateRequested(MachineDriver.Start, "taken over", OnlyPlaybook: Escape));

        // The same instance: a driver writes nothing.
        Assert.Same(running, other);
        Assert.IsType<NoCommand>(otherCommand);
        Assert.Equal(RunPhase.Finished, own.Phase);
        Assert.Equal(new FinishRun(new RunOutcome(RunResult.Terminated, "taken over")), ownCommand);
    }

    [Fact]
    public void Next_InputAfterFinish_RepeatsTheOutcome()
    {
        var run = MachineDriver.ForShipped(Escape);
        run.Begin();
        run.Feed(new TerminateRequested(run.Now, "stop"));

        var command = run.Feed(new TimerFired(run.Now, "anything"));

        Assert.Equal(new FinishRun(new RunOutcome(RunResult.Terminated, "stop")), command);
    }

    [Fact]
    public void Next_SameInputs_SameStatesAndCommands()
    {
        static string Play()
        {
            var run = MachineDriver.ForShipped(Escape);
            run.Begin();
            run.CompleteAll(new { applied = true });
            run.CompleteAll();
            run.CompleteAll();
            run.Decide(ApprovalVerdict.Approved);
            return JsonSerializer.Serialize(run.State, ContainmentJson.Options) + JsonSerializer.Serialize(run.Command, ContainmentJson.Options);
        }

        Assert.Equal(Play(), Play());
    }

    [Fact]
    public void Next_CallIds_AreUniqueWithinARun()
    {
        var run = MachineDriver.ForShipped(Escape);
        var ids = new List<string>();
        run.Begin();
        while (run.Command is RunActivities activities)
        {
            ids.AddRange(activities.Calls.Select(call => call.CallId));
            run.CompleteAll();
        }

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.StartsWith("prod~payments~api-7d9f:", id, StringComparison.Ordinal));
    }

    [Fact]
    public void Next_BeforeStart_Throws()
    {
        var playbook = MachineDriver.Shipped(Escape);

        Assert.Throws<InvalidOperationException>(() => PlaybookMachine.Next(playbook, null, new TimerFired(MachineDriver.Start, "t")));
    }
}
