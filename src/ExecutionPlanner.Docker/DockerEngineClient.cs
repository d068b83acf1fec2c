namespace ExecutionPlanner.Docker;
