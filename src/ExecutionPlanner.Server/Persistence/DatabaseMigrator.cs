using Microsoft.EntityFrameworkCore;

namespace ExecutionPlanner.Server.Persistence;

/// <summary>
/// Applies the migrations in this assembly at start-up, before the server accepts requests (hosted
/// services start before Kestrel). EF takes a database lock, so nodes starting together migrate once.
/// </summary>
public sealed class DatabaseMigrator(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UwsDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
