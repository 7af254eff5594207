// Tests share one Azurite and start real processes; running classes one at a time keeps a
// 2-core machine responsive and the processes' ports apart.
[assembly: DoNotParallelize]
