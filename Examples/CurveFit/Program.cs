// Curve fitting with Levenberg–Marquardt: Osborne's biexponential decay (NIST StRD MGH17) from the shipped data file,
// parameters and standard errors beside NIST's certified values, the fit as a PNG. Usage: [--quick] [output-directory]
// (the fit takes about a second: quick mode is the full run).
using ExprDiff.Examples;
using ExprDiff.Examples.CurveFit;

var result = CurveFitExample.Run(CurveFitOptions.From(ExampleArgs.Parse(args, "curve-fit")), Console.Out);
return result.Fits.Any(f => f.Statistics is not null) ? 0 : 1;
