using System.Text;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Import;

/// <summary>
/// Sums written out term by term become loops: a left-deep chain of additions (<c>t0 + t1 + … + tm</c>, what a loop that
/// builds an expression or a code generator writes) whose terms are one expression with the array elements they read
/// moving by a fixed stride per term (<c>x[k]</c>, <c>x[k + 1]</c>, <c>x[3k + 2]</c>) becomes one sum over k. The
/// derivative, the exported code and its compile time then no longer grow with the number of terms (P1 written out for
/// n = 10,000: 200,000 nodes become a loop body of about twenty).
/// </summary>
/// <remarks>
/// Exact: the loop adds the terms in the same order, starting from −0.0 (−0.0 + t0 is t0 for every t0) or from the
/// chain's own +0.0. A chain is rerolled only when every term has the same shape (operations, constants, sharing) and
/// every element index is affine in the term's position; anything else is left as written. The elements the terms read
/// stay required of the arguments (<see cref="ImportedFunction.ElementsRead"/>), so a short array is still refused up
/// front, by name.
/// </remarks>
internal static class TermReroller
{
    /// <summary>Fewest terms worth a loop.</summary>
    public const int MinTerms = 8;

    /// <summary>Fewest nodes (terms × nodes per term) worth a loop: below that, straight-line code is small enough for the
    /// JIT to optimize whole and beats the loop (P1 written out: 1.06× hand-written up to 40 terms, the loop 1.13–1.48×);
    /// above it, the JIT gives up on optimizing the method (2.3× at 100 terms, the loop 1.08×).</summary>
    public const int MinRerolledNodes = 512;

    /// <summary>Largest term (in nodes) compared.</summary>
    private const int MaxTermNodes = 4096;

    /// <summary>The function with its rerollable chains as loops, or the function itself when it has none.</summary>
    public static ImportedFunction Reroll(ImportedFunction f)
    {
        var b = f.Builder;
        if (!HasLongSum(b, f.Outputs)) return f;
        var graph = b.Build(f.Outputs);
        var uses = new int[graph.NodeCount];
        var user = new int[graph.NodeCount];
        for (int i = 0; i < graph.NodeCount; i++)
        {
            var n = graph[i];
            for (int j = 0; j < n.Arity; j++) { uses[n.Operand(j)]++; user[n.Operand(j)] = i; }
        }
        foreach (int o in graph.Outputs) uses[o]++;

        var target = new GraphBuilder(graph.ParameterNames, b.Folds, b.Simplifies);
        var replacements = new Dictionary<int, int>();
        long budget = 8L * graph.NodeCount + 1024;
        for (int root = graph.NodeCount - 1; root >= 0; root--)
        {
            if (!IsSum(graph, root) || (uses[root] == 1 && IsSum(graph, user[root]) && graph[user[root]].A == root)) continue;
            if (Chain(graph, root, uses, ref budget) is { } chain && Loop(graph, chain.Terms, chain.FromPositiveZero, target) is int loop)
                replacements[root] = loop;
        }
        if (replacements.Count == 0) return f;

        var map = GraphCopier.Copy(graph, target, (p, index, kind) => target.Input(p, index, kind),
            i => replacements.TryGetValue(i, out int r) ? r : -1);
        var live = target.Build(graph.Outputs.ToArray().Select(o => map[o]).ToArray());
        var read = new Dictionary<int, int>(f.ElementsRead);
        foreach (var n in graph.Nodes)
            if (ReferenceEquals(n.Op, Primitives.Input) && n.Aux2 >= 0)
                read[n.Aux] = Math.Max(read.GetValueOrDefault(n.Aux), n.Aux2 + 1);
        return new ImportedFunction(f.Source, new GraphBuilder(live, b.Folds, b.Simplifies), f.Parameters, f.Shape, live.Outputs.ToArray(), f.Rows, f.Columns)
        {
            ElementsRead = read,
        };
    }

    /// <summary>Whether any left-deep chain of additions is <see cref="MinTerms"/> long: most functions have none, and
    /// are then not copied.</summary>
    private static bool HasLongSum(GraphBuilder b, int[] outputs)
    {
        var uses = new int[b.Count];
        for (int i = 0; i < b.Count; i++)
        {
            var n = b[i];
            for (int j = 0; j < n.Arity; j++) uses[n.Operand(j)]++;
        }
        foreach (int o in outputs) uses[o]++;
        bool Sum(int node) => ReferenceEquals(b[node].Op, Primitives.Add) && b[node].Kind == ValueKind.Double;
        for (int i = b.Count - 1; i >= 0; i--)
        {
            if (!Sum(i)) continue;
            int length = 1;
            for (int c = b[i].A; Sum(c) && uses[c] == 1 && length < MinTerms; c = b[c].A) length++;
            if (length >= MinTerms - 1) return true;
        }
        return false;
    }

    private static bool IsSum(Graph g, int node) => ReferenceEquals(g[node].Op, Primitives.Add) && g[node].Kind == ValueKind.Double;

    /// <summary>The terms of the left-deep chain at <paramref name="root"/> in order, each with its description, and whether
    /// the chain starts from a +0.0 constant (else from its first term); null when it is too short. The chain goes down
    /// while the right operands have the top term's shape (a term may itself be a sum).</summary>
    private static (List<Term> Terms, bool FromPositiveZero)? Chain(Graph g, int root, int[] uses, ref long budget)
    {
        // Long enough? (A cheap walk first: a right-nested sum has a chain of one at every node.)
        int length = 1;
        for (int c = g[root].A; IsSum(g, c) && uses[c] == 1 && length < MinTerms; c = g[c].A) length++;
        if (length < MinTerms - 1) return null;
        if (Describe(g, g[root].B, ref budget) is not { } top) return null;
        var terms = new List<Term>();
        int cur = root;
        while (IsSum(g, cur) && (cur == root || uses[cur] == 1))
        {
            var term = cur == root ? top : Describe(g, g[cur].B, ref budget);
            if (term is null || term.Shape != top.Shape) break;
            terms.Add(term);
            cur = g[cur].A;
        }
        bool zero = ReferenceEquals(g[cur].Op, Primitives.Constant) && BitConverter.DoubleToInt64Bits(g[cur].Value) == 0;
        if (!zero)
        {
            if (Describe(g, cur, ref budget) is not { } bottom || bottom.Shape != top.Shape) return null;
            terms.Add(bottom);
        }
        terms.Reverse();
        return terms.Count >= MinTerms ? (terms, zero) : null;
    }

    /// <summary>A term: its root, its shape (its operations in post-order, with sharing, element reads as placeholders),
    /// the element reads (parameter, index) in that order, and its nodes in that order.</summary>
    private sealed record Term(int Root, string Shape, List<(int Parameter, int Index)> Reads, List<int> Order);

    /// <summary>The term at <paramref name="term"/>; null when it holds a loop or a constant array.</summary>
    private static Term? Describe(Graph g, int term, ref long budget)
    {
        var local = new Dictionary<int, int>();
        var order = new List<int>();
        var reads = new List<(int, int)>();
        var shape = new StringBuilder();
        var stack = new Stack<(int Node, bool Expanded)>();
        stack.Push((term, false));
        while (stack.Count > 0)
        {
            var (node, expanded) = stack.Pop();
            if (local.ContainsKey(node)) continue;
            // Terms share nodes (hash-consing): a bound on the work keeps a sum of big shared terms linear.
            if (--budget < 0 || order.Count > MaxTermNodes) return null;
            var n = g[node];
            if (n.Args is not null || n.Region is not null || n.Payload is not null) return null;
            if (!expanded)
            {
                stack.Push((node, true));
                for (int j = n.Arity - 1; j >= 0; j--) if (!local.ContainsKey(n.Operand(j))) stack.Push((n.Operand(j), false));
                continue;
            }
            local[node] = order.Count;
            order.Add(node);
            if (ReferenceEquals(n.Op, Primitives.Input) && n.Aux2 >= 0)
            {
                shape.Append("E").Append(n.Aux).Append(';');
                reads.Add((n.Aux, n.Aux2));
                continue;
            }
            shape.Append(n.Op.Name).Append(',').Append((int)n.Kind).Append(',').Append(n.Aux).Append(',').Append(n.Aux2).Append(',')
                .Append(BitConverter.DoubleToInt64Bits(n.Value));
            for (int j = 0; j < n.Arity; j++) shape.Append(',').Append(local[n.Operand(j)]);
            shape.Append(';');
        }
        return new Term(term, shape.ToString(), reads, order);
    }

    /// <summary>The sum over the terms as a loop in <paramref name="target"/>, or null when they are not one shape with
    /// affine indices.</summary>
    private static int? Loop(Graph g, List<Term> terms, bool fromPositiveZero, GraphBuilder target)
    {
        var (_, _, reads, order) = terms[0];
        if (reads.Count == 0 || (long)terms.Count * order.Count < MinRerolledNodes) return null;
        var strides = new int[reads.Count];
        for (int k = 1; k < terms.Count; k++)
        {
            var next = terms[k].Reads;
            if (next.Count != reads.Count) return null;
            for (int j = 0; j < reads.Count; j++)
            {
                var (p, index) = next[j];
                if (p != reads[j].Parameter) return null;
                if (k == 1) strides[j] = index - reads[j].Index;
                else if (index != reads[j].Index + (long)strides[j] * k) return null;
            }
        }
        if (strides.All(s => s == 0)) return null;

        // Captures: each array read by element, and each whole input the term reads (scalars, lengths).
        var captures = new List<(int Parameter, int Aux2, ValueKind Kind)>();
        int Capture(int p, int aux2, ValueKind kind)
        {
            int c = captures.IndexOf((p, aux2, kind));
            if (c < 0) { c = captures.Count; captures.Add((p, aux2, kind)); }
            return c;
        }
        foreach (var (p, _) in reads) Capture(p, -1, ValueKind.Array);
        foreach (int node in order)
            if (ReferenceEquals(g[node].Op, Primitives.Input) && g[node].Aux2 < 0) Capture(g[node].Aux, -1, g[node].Kind);
        var names = new List<string> { "k" };
        names.AddRange(captures.Select((c, i) => g.ParameterNames[c.Parameter] + (c.Kind == ValueKind.Array ? "" : "_" + i)));
        var rb = new GraphBuilder(names, target.Folds, target.Simplifies);
        int K = rb.Input(0, -1, ValueKind.Int32);
        var map = new Dictionary<int, int>();
        int r = 0;
        foreach (int node in order)
        {
            var n = g[node];
            if (ReferenceEquals(n.Op, Primitives.Input) && n.Aux2 >= 0)
            {
                int s = strides[r], c = reads[r].Index;
                r++;
                int index = s == 0 ? rb.Constant(c, ValueKind.Int32)
                    : rb.Add(s == 1 ? K : rb.Mul(rb.Constant(s, ValueKind.Int32), K), rb.Constant(c, ValueKind.Int32));
                map[node] = rb.Make(Primitives.Read, rb.Input(1 + Capture(n.Aux, -1, ValueKind.Array), -1, ValueKind.Array), index);
                continue;
            }
            if (ReferenceEquals(n.Op, Primitives.Input))
            {
                map[node] = rb.Input(1 + Capture(n.Aux, -1, n.Kind), -1, n.Kind);
                continue;
            }
            int Mapped(int j) => j < n.Arity ? map[n.Operand(j)] : -1;
            map[node] = rb.Make(n.Op, Mapped(0), Mapped(1), Mapped(2), n.Aux, n.Aux2, n.Value, n.Kind);
        }
        var body = rb.Build([map[terms[0].Root]], names);
        var args = new List<int> { target.Constant(0, ValueKind.Int32), target.Constant(terms.Count, ValueKind.Int32) };
        args.AddRange(captures.Select(c => target.Input(c.Parameter, -1, c.Kind)));
        return target.MakeStructured(Primitives.SumRange, ValueKind.Double, args.ToArray(), new Region(body, captures.Select(c => c.Kind).ToArray()),
            fromPositiveZero ? 0 : 1);
    }
}
