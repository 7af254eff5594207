// Test classes run two at a time (one per core); the methods of one class run one after another. Tests that only
// use the shared Azurite keep apart by unique table, queue and container names. Classes that start processes
// (the simulator, the local Functions host, the whole stack, Chromium) carry [DoNotParallelize] and run alone.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]
