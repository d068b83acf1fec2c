using System.Buffers;

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
/// a sliding-window maximum over the steps evaluates all of them in O(n). Built from events already
/// sorted (a node's ledger keeps its open offers' events sorted between requests) in O(n), or from
/// bookings with an O(n log n) sort. Use is counted in millicores, so the arithmetic is on integers.
/// The step arrays are rented; disposing the ledger (once no <see cref="Slots"/> pass is running)
/// gives them back, and a ledger never disposed just leaves them to the garbage collector.
/// </summary>
public sealed class CapacityLedger : IDisposable
{
    readonly Capacity capacity;
    // Use on [times[i], times[i+1]); times[0] is a sentinel before everything with zero use.
    long[] times;
    long[] cores;
    long[] memory;
    // Steps in use: the arrays are sized for the events (and rented, so maybe longer) and not trimmed.
    readonly int count;

    public CapacityLedger(Capacity capacity, IReadOnlyCollection<Booking> bookings)
        : this(capacity, Sorted(bookings), [])
    {
    }

    /// <summary>From two event sequences, each sorted by time, merged here; equal times fold into one step.</summary>
    internal CapacityLedger(Capacity capacity, ReadOnlySpan<LedgerEvent> first, ReadOnlySpan<LedgerEvent> second)
    {
        this.capacity = capacity;
        var n = first.Length + second.Length + 1;
        var stepTimes = ArrayPool<long>.Shared.Rent(n);
        var stepCores = ArrayPool<long>.Shared.Rent(n);
        var stepMemory = ArrayPool<long>.Shared.Rent(n);
        (stepTimes[0], stepCores[0], stepMemory[0]) = (long.MinValue, 0, 0);
        var steps = 1;
        int i = 0, j = 0;
        while (i < first.Length || j < second.Length)
        {
            var e = j >= second.Length || (i < first.Length && first[i].Time <= second[j].Time) ? first[i++] : second[j++];
            if (e.Time != stepTimes[steps - 1])
            {
                stepTimes[steps] = e.Time;
                stepCores[steps] = stepCores[steps - 1];
                stepMemory[steps] = stepMemory[steps - 1];
                steps++;
            }
            stepCores[steps - 1] += e.CoresMilli;
            stepMemory[steps - 1] += e.MemoryBytes;
        }
        times = stepTimes;
        cores = stepCores;
        memory = stepMemory;
        count = steps;
    }

    static LedgerEvent[] Sorted(IReadOnlyCollection<Booking> bookings)
    {
        var events = new List<LedgerEvent>(bookings.Count * 2);
        foreach (var b in bookings)
        {
            if (LedgerEvent.Of(b) is var (start, end))
            {
                events.Add(start);
                events.Add(end);
            }
        }
        var array = events.ToArray();
        Array.Sort(array);
        return array;
    }

    public Capacity Capacity => capacity;

    public void Dispose()
    {
        if (times.Length == 0)
        {
            return;
        }
        ArrayPool<long>.Shared.Return(times);
        ArrayPool<long>.Shared.Return(cores);
        ArrayPool<long>.Shared.Return(memory);
        (times, cores, memory) = ([], [], []);
    }

    /// <summary>Every candidate start in [earliest, latest], earliest first, with what is free for the whole duration.</summary>
    public IEnumerable<Slot> Slots(DateTimeOffset earliest, DateTimeOffset latest, TimeSpan duration)
    {
        if (latest < earliest || duration <= TimeSpan.Zero)
        {
            yield break;
        }
        var n = count;
        // The deques' index buffers are rented: a ledger of 15,000 bookings would otherwise put two
        // large-object arrays on the heap for every pass.
        var coreItems = ArrayPool<int>.Shared.Rent(n);
        var memoryItems = ArrayPool<int>.Shared.Rent(n);
        try
        {
            var coreWindow = new MaxWindow(coreItems, cores);
            var memoryWindow = new MaxWindow(memoryItems, memory);
            var next = 0;
            var lo = 0;
            // The window start itself, then each boundary after it up to the latest start.
            var candidate = earliest.UtcTicks;
            var boundary = UpperBound(candidate);
            var usedMilli = -1L;
            var freeCores = 0m;
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
                if (coreWindow.Max != usedMilli)
                {
                    usedMilli = coreWindow.Max;
                    freeCores = capacity.Cores - Cores(usedMilli);
                }
                yield return new Slot(new DateTimeOffset(candidate, TimeSpan.Zero), duration, freeCores, capacity.MemoryBytes - memoryWindow.Max);
                if (boundary >= n || times[boundary] > latest.UtcTicks)
                {
                    yield break;
                }
                candidate = times[boundary++];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(coreItems);
            ArrayPool<int>.Shared.Return(memoryItems);
        }
    }

    static decimal Cores(long milli) => milli == 0 ? 0m : milli / 1000m;

    /// <summary>Index of the first step starting after t.</summary>
    int UpperBound(long t)
    {
        int lo = 0, hi = count;
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
    sealed class MaxWindow(int[] items, long[] values)
    {
        int head;
        int tail;

        public long Max => values[items[head]];

        public void Push(int index)
        {
            while (tail > head && values[items[tail - 1]] <= values[index])
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
