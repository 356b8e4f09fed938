using System.Runtime;

namespace Containment.Bench;

/// <summary>
/// Rounds of the measured kind of work until the runtime stops compiling: tiered compilation keeps recompiling
/// hot methods for tens of seconds after start, and a host that has been serving is past that.
/// </summary>
internal static class WarmUp
{
    /// <param name="round">One round; given its number, from 0.</param>
    /// <param name="settled">A round that compiles fewer new method bodies than this ends the warm-up.</param>
    /// <returns>The rounds run, and the method bodies compiled in the last.</returns>
    public static async Task<(int Rounds, long Compiled)> UntilCompiledAsync(Func<int, Task> round, long settled, int maxRounds)
    {
        var rounds = 0;
        long compiled;
        do
        {
            var before = JitInfo.GetCompiledMethodCount();
            await round(rounds);
            compiled = JitInfo.GetCompiledMethodCount() - before;
            rounds++;
        }
        while (compiled >= settled && rounds < maxRounds);

        return (rounds, compiled);
    }
}
