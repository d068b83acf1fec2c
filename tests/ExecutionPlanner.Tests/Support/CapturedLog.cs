using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// Collects what a test server logs at <paramref name="minLevel"/> or above (an unhandled exception in a request, a
/// failing background loop, a fallback taken), as "category: message exception".
/// </summary>
public sealed class CapturedLog(LogLevel minLevel) : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, minLevel, Entries);

    public void Dispose()
    {
    }

    sealed class Logger(string category, LogLevel minLevel, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue($"{category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
