using System.CommandLine;
using ExecutionPlanner.Cli.Tasks;

namespace ExecutionPlanner.Cli.Commands;

/// <summary>The task, from a file (JSON or YAML) and/or flags; flags win over the file.</summary>
internal sealed class TaskOptions
{
    public Argument<string?> File { get; } = new("TASK") { Description = "A task description file, JSON or YAML (plain, ExecutionBroker or 2021 Note form).", Arity = ArgumentArity.ZeroOrOne };

    public Option<string?> Image { get; } = new("--image") { Description = "The container image." };

    public Option<string[]> Cmd { get; } = new("--cmd") { Description = "One container argument (repeat, in order; never through a shell).", Arity = ArgumentArity.ZeroOrMore };

    public Option<string[]> Env { get; } = new("--env") { Description = "NAME=value for the container (repeatable).", Arity = ArgumentArity.ZeroOrMore };

    public Option<string?> Cores { get; } = new("--cores") { Description = "Cores: 2, or a range 1-4." };

    public Option<string?> Memory { get; } = new("--memory") { Description = "Memory: GiB as a number, or 512Mi, 2Gi; or a range 1Gi-4Gi." };

    public Option<string?> Duration { get; } = new("--duration") { Description = "Run time: PT10M, 10m, 2h." };

    public Option<string?> Start { get; } = new("--start") { Description = "Requested start, ISO 8601 instant or interval (2026-11-22T10:00:00Z/PT2H)." };

    public void AddTo(Command command)
    {
        command.Arguments.Add(File);
        foreach (var o in new Option[] { Image, Cmd, Env, Cores, Memory, Duration, Start })
        {
            command.Options.Add(o);
        }
    }

    public TaskSpec Read(ParseResult parse)
    {
        var task = parse.GetValue(File) is { } path ? TaskDocument.Read(path) : new TaskSpec();
        if (parse.GetValue(Image) is { } image)
        {
            task = task with { Image = image };
        }
        if (parse.GetValue(Cmd) is { Length: > 0 } cmd)
        {
            task = task with { Command = cmd };
        }
        if (parse.GetValue(Env) is { Length: > 0 } env)
        {
            var map = new Dictionary<string, string>(task.Environment, StringComparer.Ordinal);
            foreach (var pair in env)
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new CliException($"--env '{pair}' is not NAME=value.", ExitCodes.Usage);
                }
                map[pair[..eq]] = pair[(eq + 1)..];
            }
            task = task with { Environment = map };
        }
        if (parse.GetValue(Cores) is { } cores)
        {
            var (min, max) = Quantities.ParseRange(cores, Quantities.ParseDecimal);
            task = task with { CoresMin = min, CoresMax = max };
        }
        if (parse.GetValue(Memory) is { } memory)
        {
            var (min, max) = Quantities.ParseRange(memory, Quantities.ParseMemoryGiB);
            task = task with { MemoryMinGiB = min, MemoryMaxGiB = max };
        }
        if (parse.GetValue(Duration) is { } duration)
        {
            task = task with { Duration = Quantities.ParseDuration(duration) };
        }
        if (parse.GetValue(Start) is { } start)
        {
            task = task with { Start = start };
        }
        if (string.IsNullOrWhiteSpace(task.Image))
        {
            throw new CliException("No image: give a TASK file with an image, or --image.", ExitCodes.Usage);
        }
        return task;
    }
}
