using Containment.Local.Cli;

return await ContainmentCli.RunAsync(args);
