using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Alerts;

namespace Containment.Tests.Alerts;

public sealed class FalcoAlertFormatTests
{
    [Fact]
    public void Read_TerminalShellRule_MapsRuleNameAndPriority()
    {
        // Arrange
        var body = Payloads.Load("falco-terminal-shell.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var alert = Expected.WithoutRaw(Assert.Single(result.Alerts));
        Assert.Equal("f7628198-3822-4c98-ac3f-71770e272a16", alert.Id);
        Assert.Equal("falco", alert.Source);
        Assert.Equal(AlertCategory.AbnormalProcess, alert.Category);
        Assert.Equal(Severity.Low, alert.Severity);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 5, 19, TimeSpan.Zero).AddTicks(8_230_276), alert.Time);
        Assert.Equal("Terminal shell in container", alert.Title);
        Assert.Equal("Terminal shell in container", alert.Rule);
        Assert.StartsWith("10:05:19.823027590: Notice A shell was spawned", alert.Description, StringComparison.Ordinal);
        Assert.Equal(
            new AlertTarget
            {
                Namespace = "data",
                Pod = "mysql-0",
                Container = "mysql",
                Image = "docker.io/library/mysql:8.4",
                Node = "aks-nodepool1-31718369-vmss000002",
            },
            alert.Target);
    }

    [Fact]
    public void Read_RedirectToNetworkRule_IsReverseShellAtLowSeverity()
    {
        // Arrange
        var body = Payloads.Load("falco-reverse-shell.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal("2c9b3f1e-7a45-4d1b-9e0f-8a6c5b4d3e2f", alert.Id);
        Assert.Equal(AlertCategory.ReverseShell, alert.Category);
        Assert.Equal(Severity.Low, alert.Severity);
        Assert.Equal(
            new AlertTarget
            {
                Namespace = "payments",
                Pod = "api-6b7c8d9f5-h2jkl",
                Container = "api",
                Image = "acrshop.azurecr.io/payments-api:3.2.1",
                Node = "aks-nodepool1-31718369-vmss000001",
            },
            alert.Target);
    }

    [Fact]
    public void Read_RuleNotInMap_FallsBackOnMitreTagAndDerivesStableId()
    {
        // Arrange: Falco's own json_output (no uuid, no hostname), re-indented for the second read.
        var body = Payloads.Load("falco-mitre-fallback.json");
        var compact = BinaryData.FromString(JsonSerializer.Serialize(JsonDocument.Parse(body).RootElement));

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");
        var again = AlertIntake.Default.Read(compact, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal(AlertCategory.ContainerEscape, alert.Category);
        Assert.Equal(Severity.Medium, alert.Severity);
        Assert.Equal("Potential Local Privilege Escalation via Environment Variables Misuse", alert.Rule);
        Assert.Matches("^falco-[0-9a-f]{32}$", alert.Id);
        Assert.Equal(alert.Id, Assert.Single(again.Alerts).Id);
        Assert.Equal(
            new AlertTarget
            {
                Namespace = "blog",
                Pod = "wordpress-7f8d9c6b5-p9qrs",
                Container = "php",
                Image = "docker.io/library/wordpress:6.6-php8.3-apache",
            },
            alert.Target);
    }

    [Fact]
    public void Read_EventOnTheHost_ReadAsAnAlertWithNothingToIsolate_SayingWhy()
    {
        // Arrange: Falcosidekick forwards every rule's events, those on the host (container.id=host) too.
        var body = Payloads.Load("falco-no-pod.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert: a well-formed security event, kept; only there is no pod to act on.
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal("0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a", alert.Id);
        Assert.Equal(new AlertTarget { Namespace = string.Empty, Pod = string.Empty, Node = "aks-nodepool1-31718369-vmss000002" }, alert.Target);
        Assert.Equal(
            "the alert names no pod: an event on the host (output_fields has no k8s.pod.name, and container.id is host or absent); only pods are isolated",
            alert.NothingToIsolate);
    }

    [Fact]
    public void Read_EventInAContainerWhosePodFalcoCouldNotName_StillAProblem()
    {
        // Arrange: a real container, its Kubernetes metadata out of Falco's reach: it may be a pod's, so someone must look.
        var body = JsonNode.Parse(Payloads.Load("falco-no-pod.json").ToString())!;
        body["output_fields"]!["container.id"] = "3ad7b26ded6d";
        body["output_fields"]!["container.name"] = "<NA>";

        // Act
        var result = AlertIntake.Default.Read(BinaryData.FromString(body.ToJsonString()), "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Equal(
            [new AlertProblem("/output_fields", "no pod named in the alert for container '3ad7b26ded6d' (looked in output_fields k8s.pod.name): Falco could not read its Kubernetes metadata")],
            result.Problems);
    }

    [Fact]
    public void Read_K8sAuditCreateRefused_NamesNoPod_StoredWithTheRefusal()
    {
        // Arrange: a refused create's answer is a Status, so the rule's ka.resp.name is not available.
        var body = K8sAudit(fields => { fields.Remove("ka.resp.name"); fields["ka.response.code"] = 403; });

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal(string.Empty, alert.Target.Pod);
        Assert.Equal("the API server refused the request (403), so it changed nothing", alert.NothingToIsolate);
    }

    [Fact]
    public void Read_K8sAuditCreatePrivilegedPod_ReadsThePodFromTheAuditFields()
    {
        // Arrange: Falcosidekick forwarding the k8saudit plugin's rule, which prints the pod as ka.resp.name.
        var body = Payloads.Load("falco-k8saudit-privileged-pod.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert: no container and no node (the Falco reading the audit log runs anywhere).
        Assert.Empty(result.Problems);
        var alert = Expected.WithoutRaw(Assert.Single(result.Alerts));
        Assert.Equal("5a7e2c91-3d4b-4f6a-8e1c-9b0d2f3a4c5e", alert.Id);
        Assert.Equal(AlertCategory.ContainerEscape, alert.Category);
        Assert.Equal(Severity.Medium, alert.Severity);
        Assert.Equal("Create Privileged Pod", alert.Rule);
        Assert.Equal(
            new AlertTarget { Namespace = "shop", Pod = "debug-tools-7d9f8c6b5-x2v4p", Image = "docker.io/library/alpine:3.20" },
            alert.Target);
    }

    [Fact]
    public void Read_K8sAuditEventNamingThePodAsTarget_ReadsKaTargetName()
    {
        // Arrange: an exec into a pod names it in ka.target.name; the request names no image.
        var body = K8sAudit(fields =>
        {
            fields.Remove("ka.resp.name");
            fields.Remove("ka.req.pod.containers.image");
            fields["ka.target.name"] = "checkout-6f9c7d8b54-q2xkz";
            fields["ka.target.subresource"] = "exec";
        });

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        Assert.Equal(new AlertTarget { Namespace = "shop", Pod = "checkout-6f9c7d8b54-q2xkz" }, Assert.Single(result.Alerts).Target);
    }

    [Fact]
    public void Read_K8sAuditPodRuleWithoutTheResourceField_ReadsThePod()
    {
        // Arrange: older versions of the plugin's pod rules printed no ka.target.resource; their condition holds only for pods.
        var body = K8sAudit(fields => fields.Remove("ka.target.resource"));

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        Assert.Equal("debug-tools-7d9f8c6b5-x2v4p", Assert.Single(result.Alerts).Target.Pod);
    }

    [Theory]
    [InlineData("services", "shop", "the k8s_audit event is about services 'web-nodeport', not a pod (ka.target.resource); only pods are isolated")]
    [InlineData(null, "shop", "the alert names no pod: output_fields has no ka.target.resource, and the rule is not one of the k8saudit plugin's pod rules (add %ka.target.resource to its output)")]
    public void Read_K8sAuditEventNotAboutAPod_ReadWithNothingToIsolate_SayingWhy(string? resource, string ns, string why)
    {
        // Arrange: a NodePort service created, or a rule's event that does not say what its object is.
        var body = K8sAudit(
            fields =>
            {
                fields.Remove("ka.resp.name");
                fields["ka.target.name"] = "web-nodeport";
                fields["ka.target.resource"] = resource;
            },
            rule: "Create NodePort Service");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal(new AlertTarget { Namespace = ns, Pod = string.Empty }, alert.Target);
        Assert.Equal(why, alert.NothingToIsolate);
    }

    [Fact]
    public void Read_EventAboutAnotherKindNamingANamespaceThatCannotExist_StillAProblem_ThoughItHasNothingToIsolate()
    {
        // Arrange: a Service's event; the namespace it gives is checked all the same.
        var body = K8sAudit(
            fields =>
            {
                fields.Remove("ka.resp.name");
                fields["ka.target.name"] = "web-nodeport";
                fields["ka.target.resource"] = "services";
                fields["ka.target.namespace"] = "../../etc";
            },
            rule: "Create NodePort Service");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Single(result.Problems, problem => problem.Pointer == "/output_fields/ka.target.namespace");
    }

    [Theory]
    [InlineData("\"403\"", "\"Forbidden\"", "the API server refused the request (403 'Forbidden'), so it changed nothing")]
    [InlineData("409", null, "the API server refused the request (409), so it changed nothing")]
    [InlineData("\"201\"", null, null)]
    [InlineData("\"101\"", null, null)]
    [InlineData("\"Forbidden\"", null, null)]
    [InlineData("200", null, null)]
    [InlineData("\"<NA>\"", null, null)]
    public void Read_K8sAuditEventPrintingItsResponseCode_SaysWhetherTheAPIServerRefusedTheRequest(string code, string? reason, string? refused)
    {
        // Arrange: a rule whose output adds %ka.response.code (and %ka.response.reason), as a string or a number.
        var body = K8sAudit(fields =>
        {
            fields["ka.response.code"] = JsonNode.Parse(code);
            if (reason is not null)
            {
                fields["ka.response.reason"] = JsonNode.Parse(reason);
            }
        });

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert: read as any other event about the pod, with the refusal beside it.
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal("debug-tools-7d9f8c6b5-x2v4p", alert.Target.Pod);
        Assert.Equal(refused, alert.NothingToIsolate);
    }

    /// <summary>falco-k8saudit-privileged-pod.json with its output fields, and perhaps its rule, changed.</summary>
    private static BinaryData K8sAudit(Action<JsonObject> change, string? rule = null)
    {
        var body = JsonNode.Parse(Payloads.Load("falco-k8saudit-privileged-pod.json").ToString())!;
        change(body["output_fields"]!.AsObject());
        body["rule"] = rule ?? (string)body["rule"]!;
        return BinaryData.FromString(body.ToJsonString());
    }
}
