using System.Text;
using Containment.Tests.Support;

namespace Containment.Tests.Reliability;

/// <summary>Messages the host sent to its chat and webhook channels.</summary>
internal static class ChannelMessages
{
    /// <summary>The first message that names the pod and contains <paramref name="text"/>; the host sends on its own time, so this looks again, bounded.</summary>
    public static async Task<string> FirstAsync(LocalHostFixture host, string pod, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var found = host.Channels.Requests
                .Select(request => Encoding.UTF8.GetString(request.Body))
                .FirstOrDefault(body => body.Contains(pod, StringComparison.Ordinal) && body.Contains(text, StringComparison.OrdinalIgnoreCase));
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        throw new TimeoutException($"no message about {pod} saying '{text}' reached a channel");
    }
}
