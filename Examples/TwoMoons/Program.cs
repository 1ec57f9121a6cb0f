// Two moons: a small perceptron trained with Adam on ExprDiff's gradients. Usage: [--quick] [output-directory].
using ExprDiff.Examples;
using ExprDiff.Examples.TwoMoons;

var result = TwoMoonsExample.Run(TwoMoonsOptions.From(ExampleArgs.Parse(args, "two-moons")), Console.Out);
return result.Accuracy >= 0.95 ? 0 : 1;
