#pragma warning disable
// The public signatures the Functions app uses, as declared by microsoft/durabletask-dotnet v1.11.0 (the version
// Worker.Extensions.DurableTask 1.4.0 uses). Declarations only: bodies are placeholders, nothing here runs.
namespace Microsoft.DurableTask
{
    public readonly struct TaskName : IEquatable<TaskName>
    {
        public TaskName(string name) { Name = name; }
        public string Name { get; }
        public static implicit operator string(TaskName value) => value.Name;
        public static implicit operator TaskName(string value) => new(value);
        public bool Equals(TaskName other) => true;
    }

    public class RetryPolicy
    {
        public RetryPolicy(int maxNumberOfAttempts, TimeSpan firstRetryInterval, double backoffCoefficient = 1.0, TimeSpan? maxRetryInterval = null, TimeSpan? retryTimeout = null) { }
    }

    public sealed class TaskRetryOptions
    {
        public TaskRetryOptions(RetryPolicy policy) { }
        public static implicit operator TaskRetryOptions(RetryPolicy policy) => new(policy);
    }

    public record TaskOptions
    {
        public TaskOptions(TaskRetryOptions? retry = null) { Retry = retry; }
        public TaskRetryOptions? Retry { get; init; }
        public static TaskOptions FromRetryPolicy(RetryPolicy policy) => new(policy);
    }

    public record StartOrchestrationOptions(string? InstanceId = null, DateTimeOffset? StartAt = null)
    {
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    }

    public record TaskFailureDetails(string ErrorType, string ErrorMessage, string? StackTrace, TaskFailureDetails? InnerFailure);

    public sealed class TaskFailedException : Exception
    {
        public TaskFailedException(string taskName, int taskId, TaskFailureDetails failureDetails) { FailureDetails = failureDetails; }
        public string TaskName { get; } = "";
        public int TaskId { get; }
        public TaskFailureDetails FailureDetails { get; }
    }

    public abstract class TaskOrchestrationContext
    {
        public abstract TaskName Name { get; }
        public abstract string InstanceId { get; }
        public abstract DateTime CurrentUtcDateTime { get; }
        public abstract bool IsReplaying { get; }
        public abstract T? GetInput<T>();
        public virtual Task CallActivityAsync(TaskName name, object? input = null, TaskOptions? options = null) => throw null!;
        public virtual Task CallActivityAsync(TaskName name, TaskOptions options) => throw null!;
        public virtual Task<TResult> CallActivityAsync<TResult>(TaskName name, TaskOptions options) => throw null!;
        public abstract Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null);
        public virtual Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken) => throw null!;
        public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken);
        public abstract Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default);
        public Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout) => throw null!;
        public abstract void SetCustomStatus(object? customStatus);
        public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);
        public abstract Guid NewGuid();
    }
}

namespace Microsoft.DurableTask.Client
{
    public enum OrchestrationRuntimeStatus
    {
        Running,
        Completed,
        [Obsolete("The ContinuedAsNew status is obsolete and exists only for compatibility reasons.")]
        ContinuedAsNew,
        Failed,
        [Obsolete("The Canceled status is not currently used and exists only for compatibility reasons.")]
        Canceled,
        Terminated,
        Pending,
        Suspended,
    }

    public sealed class OrchestrationMetadata
    {
        public OrchestrationMetadata(string name, string instanceId) { Name = name; InstanceId = instanceId; }
        public string Name { get; }
        public string InstanceId { get; }
        public OrchestrationRuntimeStatus RuntimeStatus { get; init; }
        public string? SerializedInput { get; init; }
        public string? SerializedOutput { get; init; }
        public string? SerializedCustomStatus { get; init; }
        public TaskFailureDetails? FailureDetails { get; init; }
        public bool IsRunning => RuntimeStatus == OrchestrationRuntimeStatus.Running;
        public bool IsCompleted => false;
        public T? ReadInputAs<T>() => throw null!;
        public T? ReadOutputAs<T>() => throw null!;
        public T? ReadCustomStatusAs<T>() => throw null!;
    }

    public sealed record TerminateInstanceOptions
    {
        public object? Output { get; init; }
        public bool Recursive { get; init; }
    }

    public abstract class DurableTaskClient : IAsyncDisposable
    {
        protected DurableTaskClient(string name) { Name = name; }
        public string Name { get; }
        public virtual Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, CancellationToken cancellation) => throw null!;
        public virtual Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input, CancellationToken cancellation) => throw null!;
        public virtual Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, StartOrchestrationOptions options, CancellationToken cancellation = default) => throw null!;
        public abstract Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default);
        public virtual Task RaiseEventAsync(string instanceId, string eventName, CancellationToken cancellation) => throw null!;
        public abstract Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default);
        public virtual Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, CancellationToken cancellation) => throw null!;
        public abstract Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default);
        public virtual Task TerminateInstanceAsync(string instanceId, CancellationToken cancellation) => throw null!;
        public virtual Task TerminateInstanceAsync(string instanceId, object? output, CancellationToken cancellation = default) => throw null!;
        public virtual Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) => throw null!;
        public virtual Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, CancellationToken cancellation) => throw null!;
        public virtual Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw null!;
        public virtual Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, CancellationToken cancellation) => throw null!;
        public abstract Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default);
        public abstract ValueTask DisposeAsync();
    }
}
