using Containment.Bench;

// Usage: Containment.Bench [runtime] [--runs N]; the repository root comes from CONTAINMENT_REPO_ROOT or the current folder.
var root = Environment.GetEnvironmentVariable("CONTAINMENT_REPO_ROOT") is { Length: > 0 } given ? given : Directory.GetCurrentDirectory();
var runs = args.SkipWhile(arg => arg != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(200);
if (args.Length > 0 && args[0] is not ("runtime" or "--runs"))
{
    Console.Error.WriteLine("usage: containment bench [runtime] [--runs N]");
    return 2;
}

return await RuntimeBenchmark.RunAsync(root, runs, Console.Out);
