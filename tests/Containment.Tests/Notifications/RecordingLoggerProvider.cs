using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Containment.Tests.Notifications;

/// <summary>Keeps every formatted log line, so tests can check that no URL or secret is logged.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    /// <summary>Every line, with its level.</summary>
    public ConcurrentQueue<(LogLevel Level, string Line)> Entries { get; } = new();

    public IEnumerable<string> Lines => Entries.Select(entry => entry.Line);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
    }
}
