namespace Containment.FunctionApp.Durable;

/// <summary>Thrown by an activity function for a failure worth another try, so that Durable's retry policy applies.</summary>
public sealed class RetryableActivityException(string message) : Exception(message);
