using Azure.Core;

namespace Containment.Tests.Clusters;

/// <summary>A real TokenCredential returning fixed tokens: one for ARM, one for the AKS API server.</summary>
internal sealed class FixedTokenCredential(TimeProvider time) : TokenCredential
{
    public const string ArmToken = "arm-token";
    public const string AksToken = "aks-token";
    private int calls;

    public int Calls => calls;

    public List<string> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref calls);
        lock (Scopes)
        {
            Scopes.AddRange(requestContext.Scopes);
        }

        var token = requestContext.Scopes.Contains("6dae42f8-4368-4678-94ff-3960e28e3630/.default") ? AksToken : ArmToken;
        return new AccessToken(token, time.GetUtcNow().AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
