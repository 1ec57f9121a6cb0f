using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>
/// Folds a loop's constant captures into its body (a reverse-mode seed of 1.0, a constant bound) and merges
/// captures of the same value, so the body simplifies as straight-line code would: <c>100·1.0·d</c> becomes
/// <c>100·d</c>. Run as the structured node is made; exact, since it only substitutes values.
/// </summary>
internal static class RegionSpecializer
{
    /// <param name="carried">How many leading captures are a loop's carried state (a scan's): their operand is only
    /// the first iteration's value, so they are never folded or merged.</param>
    public static (int[] Args, Region Region) Specialize(GraphBuilder outer, int[] args, Region region, int firstCapture, int carried = 0)
    {
        int captures = region.CaptureCount;
        var keep = new int[captures]; // new capture index, or −1 when folded
        var keptArgs = new List<int>(args[..firstCapture]);
        var keptKinds = new List<ValueKind>();
        var names = new List<string> { region.Body.ParameterNames[0] };
        bool changed = false;
        for (int k = 0; k < captures; k++)
        {
            int operand = args[firstCapture + k];
            if (k < carried)
            {
                keep[k] = keptKinds.Count;
                keptArgs.Add(operand);
                keptKinds.Add(region.CaptureKinds[k]);
                names.Add(region.Body.ParameterNames[1 + k]);
                continue;
            }
            if (outer.IsConstant(operand, out _)) { keep[k] = -1; changed = true; continue; }
            int existing = keptArgs.IndexOf(operand, firstCapture + carried);
            if (existing >= 0) { keep[k] = existing - firstCapture; changed = true; continue; }
            keep[k] = keptKinds.Count;
            keptArgs.Add(operand);
            keptKinds.Add(region.CaptureKinds[k]);
            names.Add(region.Body.ParameterNames[1 + k]);
        }
        if (!changed) return (args, region);

        var body = region.Body;
        var b = new GraphBuilder(names);
        var map = GraphCopier.Copy(body, b, (p, kind) => p == 0 ? b.Input(0, -1, kind)
            : keep[p - 1] < 0 ? b.Constant(outer[args[firstCapture + p - 1]].Value, kind) : b.Input(1 + keep[p - 1], -1, kind));
        var outputs = body.Outputs.ToArray().Select(o => map[o]).ToArray();
        return (keptArgs.ToArray(), new Region(b.Build(outputs, names), keptKinds));
    }
}
