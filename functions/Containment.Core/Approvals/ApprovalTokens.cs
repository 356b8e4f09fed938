using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Containment.Approvals;

/// <summary>
/// Approval link tokens: <c>base64url(payload) "." base64url(HMAC-SHA256(key, payload))</c>. The payload binds the run
/// instance id, the step id, the wait round, the expiry and a nonce; it is opaque to readers but not secret. The nonce
/// is a MAC of the rest and of the run, so one wait has one link: a request made again (its step retried after a
/// crash) sends the link it sent before, and no one without the key can tell a link ahead. Tokens verify with the
/// current key or, after a rotation, the previous one (a request made again across a rotation gets a new link; the
/// first still verifies). Only <see cref="Hash"/> of a token is ever stored, so a leaked table holds no usable links.
/// </summary>
public sealed class ApprovalTokens
{
    /// <summary>Longer input is refused before any decoding.</summary>
    public const int MaxTokenLength = 2048;

    private const byte Version = 1;
    private const int NonceBytes = 16;
    private const int MacBytes = 32;
    private const int FixedBytes = 1 + 8 + 4 + NonceBytes;

    private readonly byte[] signingKey;
    private readonly byte[]? previousKey;

    /// <summary>The nonces' own key, derived from the signing key, so that no nonce is a signature of something else.</summary>
    private readonly byte[] nonceKey;

    public ApprovalTokens(IOptions<ApprovalOptions> options)
    {
        var settings = options.Value;
        signingKey = ApprovalOptions.KeyBytes(settings.SigningKey);
        previousKey = string.IsNullOrWhiteSpace(settings.PreviousSigningKey) ? null : ApprovalOptions.KeyBytes(settings.PreviousSigningKey);
        nonceKey = HMACSHA256.HashData(signingKey, "containment approval link nonce"u8);
    }

    /// <param name="startedBy">
    /// The event that started the run: a pod's runs share their instance id, so two of them could otherwise ask for
    /// the same step's round with the same expiry, and one run's link would be the other's.
    /// </param>
    public string Issue(string instanceId, string stepId, int round, DateTimeOffset expiresAt, string startedBy)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentException.ThrowIfNullOrEmpty(stepId);
        ArgumentException.ThrowIfNullOrEmpty(startedBy);
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        var instance = Encoding.UTF8.GetBytes(instanceId);
        var step = Encoding.UTF8.GetBytes(stepId);
        if (instance.Length > ushort.MaxValue || step.Length > ushort.MaxValue || FixedBytes + 4 + instance.Length + step.Length > MaxTokenLength / 2)
        {
            throw new ArgumentException("instance and step ids are too long for an approval link", nameof(instanceId));
        }

        var payload = new byte[FixedBytes + 2 + instance.Length + 2 + step.Length];
        var span = payload.AsSpan();
        span[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(span[1..], expiresAt.ToUnixTimeSeconds());
        BinaryPrimitives.WriteInt32BigEndian(span[9..], round);
        var offset = FixedBytes;
        BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)instance.Length);
        instance.CopyTo(span[(offset + 2)..]);
        offset += 2 + instance.Length;
        BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)step.Length);
        step.CopyTo(span[(offset + 2)..]);

        // Made over the payload while its nonce is still zeros; the payload's ids carry their lengths, so the run's
        // event after them is read apart from them.
        HMACSHA256.HashData(nonceKey, (byte[])[.. payload, .. Encoding.UTF8.GetBytes(startedBy)]).AsSpan(0, NonceBytes).CopyTo(span.Slice(13, NonceBytes));

        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(signingKey, payload));
    }

    /// <summary>Checks shape, then signature (constant time, current then previous key), then expiry against <paramref name="now"/>.</summary>
    public ApprovalTokenCheck Verify(string? token, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return ApprovalTokenCheck.Malformed;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot != token.LastIndexOf('.') || !TryDecode(token.AsSpan(0, dot), out var payload) || !TryDecode(token.AsSpan(dot + 1), out var mac)
            || mac.Length != MacBytes || payload.Length < FixedBytes + 4 || payload[0] != Version)
        {
            return ApprovalTokenCheck.Malformed;
        }

        if (!Signed(payload, mac, signingKey) && (previousKey is null || !Signed(payload, mac, previousKey)))
        {
            return ApprovalTokenCheck.BadSignature;
        }

        var claims = ReadClaims(payload);
        if (claims is null)
        {
            return ApprovalTokenCheck.Malformed;
        }

        return now >= claims.ExpiresAt ? new ApprovalTokenCheck(ApprovalTokenStatus.Expired, claims) : new ApprovalTokenCheck(ApprovalTokenStatus.Valid, claims);
    }

    /// <summary>SHA-256 of the token as lowercase hex: what approval records store and look up by.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static bool Signed(byte[] payload, byte[] mac, byte[] key) =>
        CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), mac);

    private static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.IsEmpty || !Base64Url.IsValid(text))
        {
            return false;
        }

        bytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        var status = Base64Url.DecodeFromChars(text, bytes, out var consumed, out var written);
        if (status != System.Buffers.OperationStatus.Done || consumed != text.Length)
        {
            return false;
        }

        bytes = bytes[..written];
        return true;
    }

    private static ApprovalTokenClaims? ReadClaims(byte[] payload)
    {
        var span = payload.AsSpan();
        var seconds = BinaryPrimitives.ReadInt64BigEndian(span[1..]);
        var round = BinaryPrimitives.ReadInt32BigEndian(span[9..]);
        var nonce = Base64Url.EncodeToString(span.Slice(13, NonceBytes));
        var offset = FixedBytes;
        if (!TryReadString(span, ref offset, out var instanceId) || !TryReadString(span, ref offset, out var stepId) || offset != span.Length
            || seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() || round < 0)
        {
            return null;
        }

        return new ApprovalTokenClaims(instanceId, stepId, round, DateTimeOffset.FromUnixTimeSeconds(seconds), nonce);
    }

    private static bool TryReadString(ReadOnlySpan<byte> span, ref int offset, out string value)
    {
        value = string.Empty;
        if (span.Length < offset + 2)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
        if (length == 0 || span.Length < offset + 2 + length)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(span.Slice(offset + 2, length));
        offset += 2 + length;
        return true;
    }
}
