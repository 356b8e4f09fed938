using System.Net.Http.Headers;
using Azure.Core;
using k8s.Authentication;

namespace Containment.Clusters;

/// <summary>
/// Entra tokens for the AKS API server, from a <see cref="TokenCredential"/> (managed identity in
/// Azure); cached and refreshed five minutes before expiry. Replaces the kubeconfig's kubelogin
/// exec user, which is never run.
/// </summary>
public sealed class AksTokenProvider(TokenCredential credential, TimeProvider timeProvider) : ITokenProvider, IDisposable
{
    /// <summary>The AKS AAD server application; the same in every tenant.</summary>
    public const string AksScope = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";

    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim gate = new(1, 1);
    private AccessToken? cached;

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        if (Fresh(cached) is { } token)
        {
            return new AuthenticationHeaderValue("Bearer", token.Token);
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(cached) is not { } current)
            {
                current = await credential.GetTokenAsync(new TokenRequestContext([AksScope]), cancellationToken);
                cached = current;
            }

            return new AuthenticationHeaderValue("Bearer", current.Token);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private AccessToken? Fresh(AccessToken? token) =>
        token is { } t && t.ExpiresOn - RefreshMargin > timeProvider.GetUtcNow() ? t : null;
}
