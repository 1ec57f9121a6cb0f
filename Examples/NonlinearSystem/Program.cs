// A nonlinear system solved by Newton's method with its Jacobian: Chandrasekhar's H-equation. Usage: NonlinearSystem [--quick]
using ExprDiff.Examples.NonlinearSystem;

bool quick = args.Contains("--quick");
var solves = HEquationExample.Run(quick ? 100 : 400, [0.5, 0.9, 0.99, 0.9999], Console.Out);
return solves.All(s => s.Result.Converged) ? 0 : 1;
