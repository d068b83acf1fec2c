using ExecutionPlanner.Server;

var app = ExecutionPlannerApp.Build(args);
await app.RunAsync();
