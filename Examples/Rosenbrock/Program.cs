// Rosenbrock in 2 and 1,000 dimensions by four methods: iterations, evaluations, time, convergence plots.
// Usage: [--quick] [output-directory].
using ExprDiff.Examples;
using ExprDiff.Examples.Rosenbrock;

var result = RosenbrockExample.Run(RosenbrockOptions.From(ExampleArgs.Parse(args, "rosenbrock")), Console.Out);
return result.Runs.All(r => r.Result.Value < 1e-10) ? 0 : 1;
