namespace Containment.Tests.Reliability;

/// <summary>A body made from a template file: <see cref="Times"/> copies of <see cref="Repeat"/> in place of <c>@@TEXT@@</c>.</summary>
public sealed record BadInputTemplate(string Template, string Repeat, int Times);
