using Containment.Activities;

namespace Containment.RuntimeHost;

/// <summary>
/// An idempotent activity with an observable effect: it appends "activity callId" to the effects file
/// once per call id, and every attempt to the attempts file. One call can be told to stop dead after its
/// effect, to be killed there.
/// </summary>
internal sealed class EffectActivity(string name, string folder, string? blockAfterEffectOf) : IRunActivity
{
    private static readonly SemaphoreSlim FileLock = new(1, 1);

    public string Name => name;

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var line = $"{name} {request.CallId}";
        await FileLock.WaitAsync(cancellationToken);
        try
        {
            await File.AppendAllLinesAsync(Path.Combine(folder, "attempts.txt"), [line], cancellationToken);
            var effects = Path.Combine(folder, "effects.txt");
            if (!File.Exists(effects) || !(await File.ReadAllLinesAsync(effects, cancellationToken)).Contains(line))
            {
                await File.AppendAllLinesAsync(effects, [line], cancellationToken);
            }
        }
        finally
        {
            FileLock.Release();
        }

        if (blockAfterEffectOf is not null && request.InstanceId == blockAfterEffectOf && name == ActivityNames.IsolatePod)
        {
            // The effect is applied; its result is never saved.
            Console.WriteLine($"blocked {request.InstanceId}");
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return ActivityResult.Success();
    }
}
