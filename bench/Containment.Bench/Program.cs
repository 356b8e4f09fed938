using System.CommandLine;
using Containment.Bench;

// The repository root comes from CONTAINMENT_REPO_ROOT (set by ./containment) or the current folder.
var root = Environment.GetEnvironmentVariable("CONTAINMENT_REPO_ROOT") is { Length: > 0 } given ? given : Directory.GetCurrentDirectory();
return await BenchCommand.Create(root).Parse(args).InvokeAsync();
