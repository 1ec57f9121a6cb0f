// Curve fitting with Levenberg–Marquardt: Osborne's biexponential decay (NIST StRD MGH17) from the shipped data file,
// parameters and standard errors beside NIST's certified values. Usage: CurveFit [data-file]
using ExprDiff.Examples.CurveFit;

var fits = CurveFitExample.Run(args.Length > 0 ? args[0] : null, Console.Out);
return fits.Any(f => f.Statistics is not null) ? 0 : 1;
