// A nonlinear system solved by Newton's method with its Jacobian: Chandrasekhar's H-equation for four albedos, H(μ) and
// the convergence as PNGs. Usage: [--quick] [output-directory]
using ExprDiff.Examples;
using ExprDiff.Examples.NonlinearSystem;

var result = HEquationExample.Run(HEquationOptions.From(ExampleArgs.Parse(args, "h-equation")), Console.Out);
return result.Solves.All(s => s.Result.Converged) ? 0 : 1;
