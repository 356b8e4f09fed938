namespace Containment.Local.Cli;

/// <summary>Where the repository's own folders are: the <c>./containment</c> script says, else the current folder.</summary>
internal static class RepositoryPaths
{
    public const string RootVariable = "CONTAINMENT_REPO_ROOT";

    public static string Root => Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } root ? root : Directory.GetCurrentDirectory();

    public static string Playbooks => Path.Combine(Root, "playbooks");

    /// <summary>A path as a person typing commands here would write it.</summary>
    public static string ForDisplay(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
