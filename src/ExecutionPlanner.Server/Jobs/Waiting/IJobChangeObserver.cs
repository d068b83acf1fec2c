namespace ExecutionPlanner.Server.Jobs.Waiting;

/// <summary>Told of every job change the <see cref="JobChangeHub"/> hears of. Called on the listener's thread: return at once.</summary>
public interface IJobChangeObserver
{
    /// <summary>The job changed (or was deleted).</summary>
    void Changed(string jobId);

    /// <summary>Changes may have been missed (the listener reconnected): treat every job as changed.</summary>
    void MayHaveMissed();
}
