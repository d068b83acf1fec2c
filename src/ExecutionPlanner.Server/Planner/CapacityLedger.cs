namespace ExecutionPlanner.Server.Planner;

/// <summary>Work that holds capacity over [Start, End): a running or queued job, an accepted or open offer.</summary>
public readonly record struct Booking(DateTimeOffset Start, DateTimeOffset End, decimal Cores, long MemoryBytes);

/// <summary>What the platform has for jobs at any moment.</summary>
public readonly record struct Capacity(decimal Cores, long MemoryBytes);

/// <summary>A start time and the cores and memory free for the whole of [Start, Start + Duration).</summary>
public readonly record struct Slot(DateTimeOffset Start, TimeSpan Duration, decimal FreeCores, long FreeMemoryBytes);

/// <summary>
/// The platform's cores and memory over time, as a step function of what the bookings use. Free
/// capacity over a span is the capacity minus the peak use within it (cores and memory peaks are taken
/// separately, which can only under-state what is free, never over-book). A slot can only open where
/// a booking ends, so the candidate starts are the window's start and the booking boundaries inside it;
/// a sliding-window maximum over the steps evaluates all of them in O(n) after the O(n log n) sort.
/// </summary>
public sealed class CapacityLedger
{
    readonly Capacity capacity;
    // Use on [times[i], times[i+1]); times[0] is a sentinel before everything with zero use.
    readonly long[] times;
    readonly decimal[] cores;
    readonly long[] memory;

    public CapacityLedger(Capacity capacity, IReadOnlyCollection<Booking> bookings)
    {
        this.capacity = capacity;
        // Every start and end as a (time, change) event, sorted by time; equal times fold into one step.
        var eventTimes = new long[bookings.Count * 2];
        var events = new (decimal Cores, long Memory)[bookings.Count * 2];
        var count = 0;
        foreach (var b in bookings)
        {
            if (b.End <= b.Start)
            {
                continue;
            }
            eventTimes[count] = b.Start.UtcTicks;
            events[count++] = (b.Cores, b.MemoryBytes);
            eventTimes[count] = b.End.UtcTicks;
            events[count++] = (-b.Cores, -b.MemoryBytes);
        }
        Array.Sort(eventTimes, events, 0, count);
        var steps = new List<long>(count + 1) { long.MinValue };
        var coreSteps = new List<decimal>(count + 1) { 0m };
        var memorySteps = new List<long>(count + 1) { 0L };
        for (var i = 0; i < count; i++)
        {
            if (eventTimes[i] != steps[^1])
            {
                steps.Add(eventTimes[i]);
                coreSteps.Add(coreSteps[^1]);
                memorySteps.Add(memorySteps[^1]);
            }
            coreSteps[^1] += events[i].Cores;
            memorySteps[^1] += events[i].Memory;
        }
        times = [.. steps];
        cores = [.. coreSteps];
        memory = [.. memorySteps];
    }

    public Capacity Capacity => capacity;

    /// <summary>Every candidate start in [earliest, latest], earliest first, with what is free for the whole duration.</summary>
    public IEnumerable<Slot> Slots(DateTimeOffset earliest, DateTimeOffset latest, TimeSpan duration)
    {
        if (latest < earliest || duration <= TimeSpan.Zero)
        {
            yield break;
        }
        var n = times.Length;
        var coreWindow = new MaxWindow<decimal>(n, cores);
        var memoryWindow = new MaxWindow<long>(n, memory);
        var next = 0;
        var lo = 0;
        // The window start itself, then each boundary after it up to the latest start.
        var candidate = earliest.UtcTicks;
        var boundary = UpperBound(candidate);
        while (true)
        {
            var end = candidate + duration.Ticks;
            while (next < n && times[next] < end)
            {
                coreWindow.Push(next);
                memoryWindow.Push(next);
                next++;
            }
            while (lo + 1 < n && times[lo + 1] <= candidate)
            {
                lo++;
            }
            coreWindow.DropBefore(lo);
            memoryWindow.DropBefore(lo);
            yield return new Slot(new DateTimeOffset(candidate, TimeSpan.Zero), duration,
                capacity.Cores - coreWindow.Max, capacity.MemoryBytes - memoryWindow.Max);
            if (boundary >= n || times[boundary] > latest.UtcTicks)
            {
                yield break;
            }
            candidate = times[boundary++];
        }
    }

    /// <summary>Index of the first step starting after t.</summary>
    int UpperBound(long t)
    {
        int lo = 0, hi = times.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (times[mid] <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>Monotonic deque: the maximum of values[i] over a window of indices that only moves right.</summary>
    sealed class MaxWindow<T>(int capacity, T[] values) where T : IComparable<T>
    {
        readonly int[] items = new int[capacity];
        int head;
        int tail;

        public T Max => values[items[head]];

        public void Push(int index)
        {
            while (tail > head && values[items[tail - 1]].CompareTo(values[index]) <= 0)
            {
                tail--;
            }
            items[tail++] = index;
        }

        public void DropBefore(int index)
        {
            while (tail - head > 1 && items[head] < index)
            {
                head++;
            }
        }
    }
}
