using System.Text;
using System.Text.Json;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ExecutionPlanner.Server.Persistence;

public sealed class UwsDbContext(DbContextOptions<UwsDbContext> options) : DbContext(options)
{
    public DbSet<JobEntity> Jobs => Set<JobEntity>();

    public DbSet<JobFileEntity> JobFiles => Set<JobFileEntity>();

    /// <summary>
    /// Options every UwsDbContext needs. Migrations are written by hand (the EF design-time package
    /// cannot be restored from the package source here), so there is no model snapshot to compare against.
    /// </summary>
    /// <summary>
    /// A list in a query (<c>ids.Contains(j.Id)</c>) goes to PostgreSQL as one array parameter (<c>= ANY(@ids)</c>).
    /// EF 10's default, one parameter per element padded to a bucket size, compiles a new query (and JITs
    /// its shaper) for every new size bucket: about 100 ms the first time a thousand woken waiters are re-read.
    /// </summary>
    public static void Configure(DbContextOptionsBuilder options, Npgsql.NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    /// <summary>The jsonb text of a parameter list; raw writers (<see cref="NewJobRows"/>) use it too, so both spell rows alike.</summary>
    public static string SerializeParameters(List<JobParameter> parameters) => JsonSerializer.Serialize(parameters, JsonSerializerOptions.Default);

    /// <summary>The jsonb text of a message list, as <see cref="JobMessages"/> appends it.</summary>
    public static string SerializeMessages(IEnumerable<JobMessage> messages) => JsonSerializer.Serialize(messages, JsonSerializerOptions.Default);

    /// <summary>A list of records stored as a jsonb array, compared by its elements.</summary>
    static void AsJsonbList<T>(Microsoft.EntityFrameworkCore.Metadata.Builders.PropertyBuilder<List<T>> property) =>
        property.HasColumnType("jsonb").HasConversion(
            v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
            v => JsonSerializer.Deserialize<List<T>>(v, JsonSerializerOptions.Default) ?? new List<T>(),
            new ValueComparer<List<T>>(
                (a, b) => a!.SequenceEqual(b!),
                v => v.Aggregate(0, (h, p) => HashCode.Combine(h, p!.GetHashCode())),
                v => v.ToList()));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<JobEntity>(job =>
        {
            job.ToTable("jobs");
            job.HasKey(j => j.Id);
            job.Property(j => j.Phase).HasConversion<string>();
            AsJsonbList(job.Property(j => j.Parameters));
            AsJsonbList(job.Property(j => j.Messages));
        });
        modelBuilder.Entity<JobFileEntity>(file =>
        {
            file.ToTable("job_files");
            file.HasKey(f => new { f.JobId, f.Kind, f.Name });
            file.Property(f => f.Kind).HasConversion<string>();
            file.HasOne<JobEntity>().WithMany().HasForeignKey(f => f.JobId).OnDelete(DeleteBehavior.Cascade);
        });
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('_');
            }
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
