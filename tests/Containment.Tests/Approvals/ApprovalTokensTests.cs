using System.Buffers.Text;
using System.Security.Cryptography;
using Containment.Approvals;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Approvals;

public sealed class ApprovalTokensTests
{
    private const string KeyA = "key-a-0123456789-0123456789-0123456789";
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The event that started the run the links are for.</summary>
    private const string StartedBy = "falco|alert-1";

    [Fact]
    public void Verify_IssuedToken_RoundTripsTheBoundFields()
    {
        var tokens = Tokens(KeyA);

        var token = tokens.Issue("payments/api-7d9f8", "approve-release", 2, Now.AddHours(1), StartedBy);
        var check = tokens.Verify(token, Now);

        Assert.Equal(ApprovalTokenStatus.Valid, check.Status);
        Assert.Equal("payments/api-7d9f8", check.Claims!.InstanceId);
        Assert.Equal("approve-release", check.Claims.StepId);
        Assert.Equal(2, check.Claims.Round);
        Assert.Equal(Now.AddHours(1), check.Claims.ExpiresAt);
        Assert.Matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", token);
    }

    [Fact]
    public void Issue_TheSameWaitTwice_GivesTheSameToken()
    {
        // A request made again for one wait (its step retried after a crash) sends the link it sent before.
        var first = Tokens(KeyA).Issue("run", "step", 1, Now.AddHours(1), StartedBy);
        var second = Tokens(KeyA).Issue("run", "step", 1, Now.AddHours(1), StartedBy);

        Assert.Equal(first, second);
    }

    /// <summary>Each input is bound by the nonce, the run's event included, which the payload does not hold.</summary>
    [Theory]
    [InlineData("another run id")]
    [InlineData("another step")]
    [InlineData("another round")]
    [InlineData("another expiry")]
    [InlineData("another run of the pod")]
    [InlineData("another key")]
    public void Issue_AnotherWaitOrKey_GivesAnotherTokenAndNonce(string other)
    {
        var (run, step, round, expiresAt, startedBy, key) = ("run", "step", 1, Now.AddHours(1), StartedBy, KeyA);
        var first = Tokens(key).Issue(run, step, round, expiresAt, startedBy);
        switch (other)
        {
            case "another run id": run = "run-2"; break;
            case "another step": step = "step-2"; break;
            case "another round": round = 2; break;
            case "another expiry": expiresAt = expiresAt.AddSeconds(1); break;
            case "another run of the pod": startedBy = "falco|alert-2"; break;
            case "another key": key = KeyB; break;
            default: throw new ArgumentOutOfRangeException(nameof(other), other, null);
        }

        var second = Tokens(key).Issue(run, step, round, expiresAt, startedBy);

        Assert.NotEqual(first, second);
        Assert.NotEqual(Tokens(KeyA, previous: KeyB).Verify(first, Now).Claims!.Nonce, Tokens(KeyA, previous: KeyB).Verify(second, Now).Claims!.Nonce);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dot-at-all")]
    [InlineData("a.b.c")]
    [InlineData("!!!.???")]
    [InlineData(".abc")]
    [InlineData("AQID.AQID")]
    public void Verify_Garbage_IsMalformed(string token)
    {
        Assert.Equal(ApprovalTokenStatus.Malformed, Tokens(KeyA).Verify(token, Now).Status);
    }

    [Fact]
    public void Verify_TooLong_IsMalformed()
    {
        Assert.Equal(ApprovalTokenStatus.Malformed, Tokens(KeyA).Verify(new string('A', 5000) + ".AA", Now).Status);
    }

    [Fact]
    public void Verify_SignedWithAnotherKey_IsBadSignature()
    {
        var forged = Tokens(KeyB).Issue("run", "step", 0, Now.AddHours(1), StartedBy);

        var check = Tokens(KeyA).Verify(forged, Now);

        Assert.Equal(ApprovalTokenStatus.BadSignature, check.Status);
        Assert.Null(check.Claims);
    }

    [Fact]
    public void Verify_TamperedPayload_IsBadSignature()
    {
        var tokens = Tokens(KeyA);
        var token = tokens.Issue("run", "step", 0, Now.AddHours(1), StartedBy);
        var parts = token.Split('.');
        var payload = Base64Url.DecodeFromChars(parts[0]);
        payload[^1] ^= 0x01;

        var check = tokens.Verify(Base64Url.EncodeToString(payload) + "." + parts[1], Now);

        Assert.Equal(ApprovalTokenStatus.BadSignature, check.Status);
    }

    [Fact]
    public void Verify_TamperedSignature_IsBadSignature()
    {
        var tokens = Tokens(KeyA);
        var token = tokens.Issue("run", "step", 0, Now.AddHours(1), StartedBy);
        var parts = token.Split('.');
        var mac = Base64Url.DecodeFromChars(parts[1]);
        mac[0] ^= 0x80;

        Assert.Equal(ApprovalTokenStatus.BadSignature, tokens.Verify(parts[0] + "." + Base64Url.EncodeToString(mac), Now).Status);
    }

    /// <summary>
    /// Payloads only the signing key can make: a signature is no licence to read past the payload's end, take an empty
    /// id, or a round or expiry no link was ever issued with.
    /// </summary>
    [Theory]
    [InlineData("a byte after the step id")]
    [InlineData("an empty run id")]
    [InlineData("a step id longer than the payload")]
    [InlineData("no step id")]
    [InlineData("a negative round")]
    [InlineData("an expiry after year 9999")]
    [InlineData("an expiry before year 1")]
    public void Verify_SignedPayloadOfTheWrongShape_IsMalformed(string wrong)
    {
        var payload = Base64Url.DecodeFromChars(Tokens(KeyA).Issue("run", "step", 0, Now.AddHours(1), StartedBy).Split('.')[0]);
        const int RunIdAt = 29;
        const int StepIdAt = RunIdAt + 2 + 3;
        byte[] changed = wrong switch
        {
            "a byte after the step id" => [.. payload, 0],
            "an empty run id" => [.. payload[..RunIdAt], 0, 0, .. payload[StepIdAt..]],
            "a step id longer than the payload" => [.. payload[..StepIdAt], 0, 5, .. payload[(StepIdAt + 2)..]],
            "no step id" => payload[..StepIdAt],
            "a negative round" => [.. payload[..9], 0xFF, .. payload[10..]],
            "an expiry after year 9999" => [payload[0], 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, .. payload[9..]],
            "an expiry before year 1" => [payload[0], 0x80, 0, 0, 0, 0, 0, 0, 0, .. payload[9..]],
            _ => throw new ArgumentOutOfRangeException(nameof(wrong), wrong, null),
        };
        var signed = Base64Url.EncodeToString(changed) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(ApprovalOptions.KeyBytes(KeyA), changed));

        var check = Tokens(KeyA).Verify(signed, Now);

        Assert.Equal(ApprovalTokenStatus.Malformed, check.Status);
        Assert.Null(check.Claims);
    }

    [Fact]
    public void Verify_SignedPayloadChangedBackToItsShape_IsValid()
    {
        // The shape changes above re-signed unchanged: what they refuse is the shape, not the re-signing.
        var payload = Base64Url.DecodeFromChars(Tokens(KeyA).Issue("run", "step", 0, Now.AddHours(1), StartedBy).Split('.')[0]);
        var signed = Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(ApprovalOptions.KeyBytes(KeyA), payload));

        Assert.Equal(ApprovalTokenStatus.Valid, Tokens(KeyA).Verify(signed, Now).Status);
    }

    [Fact]
    public void Issue_IdsTooLongForALink_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Tokens(KeyA).Issue(new string('r', 1000), "step", 0, Now.AddHours(1), StartedBy));

        Assert.Contains("too long for an approval link", error.Message, StringComparison.Ordinal);
        Assert.NotNull(Tokens(KeyA).Issue(new string('r', 900), "step", 0, Now.AddHours(1), StartedBy));
    }

    [Fact]
    public void Verify_PastExpiry_IsExpiredWithClaims()
    {
        var tokens = Tokens(KeyA);
        var token = tokens.Issue("run", "step", 1, Now.AddMinutes(30), StartedBy);

        var check = tokens.Verify(token, Now.AddMinutes(30));

        Assert.Equal(ApprovalTokenStatus.Expired, check.Status);
        Assert.Equal("run", check.Claims!.InstanceId);
    }

    [Fact]
    public void Verify_AfterRotation_PreviousKeyTokensStillVerify()
    {
        var old = Tokens(KeyA).Issue("run", "step", 0, Now.AddHours(1), StartedBy);
        var rotated = Tokens(KeyB, previous: KeyA);

        Assert.Equal(ApprovalTokenStatus.Valid, rotated.Verify(old, Now).Status);
        Assert.Equal(ApprovalTokenStatus.Valid, rotated.Verify(rotated.Issue("run", "step", 0, Now.AddHours(1), StartedBy), Now).Status);
        Assert.Equal(ApprovalTokenStatus.BadSignature, Tokens(KeyB).Verify(old, Now).Status);
    }

    [Fact]
    public void Hash_IsSha256HexAndStable()
    {
        var hash = ApprovalTokens.Hash("abc");

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash);
    }

    [Theory]
    [InlineData("too-short")]
    [InlineData("")]
    public void Start_ShortOrMissingKey_Fails(string key)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Containment:Approvals:SigningKey"] = key }).Build();
        using var provider = new ServiceCollection().AddApprovals(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ApprovalOptions>>().Value);

        Assert.Contains("SigningKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SigningKey")]
    [InlineData("PreviousSigningKey")]
    public void Start_KeyVaultReferenceNotResolved_FailsRatherThanSigningWithItsText(string setting)
    {
        // At least 32 bytes of text, so only the reference check can refuse it.
        const string Reference = "@Microsoft.KeyVault(VaultName=kv-prod-cnt;SecretName=approval-signing-key)";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Containment:Approvals:SigningKey"] = KeyA,
            ["Containment:Approvals:" + setting] = Reference,
        }).Build();
        using var provider = new ServiceCollection().AddApprovals(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ApprovalOptions>>().Value);

        Assert.Equal(
            $"Containment:Approvals:{setting} holds a Key Vault reference the platform did not resolve (the secret is missing, or the app's identity may not read it); its text is not used as a key",
            error.Message);
    }

    [Fact]
    public void KeyBytes_Base64Of32Bytes_IsDecoded()
    {
        Assert.Equal(32, ApprovalOptions.KeyBytes(KeyB).Length);
        Assert.Equal(KeyA.Length, ApprovalOptions.KeyBytes(KeyA).Length);
    }

    internal static ApprovalTokens Tokens(string key, string? previous = null) =>
        new(Options.Create(new ApprovalOptions { SigningKey = key, PreviousSigningKey = previous }));
}
