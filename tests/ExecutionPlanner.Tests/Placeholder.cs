namespace ExecutionPlanner.Tests;
