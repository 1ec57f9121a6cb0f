using System.Reflection;
using System.Reflection.Emit;

namespace ExprDiff.Backends.IL;

/// <summary>
/// The buffers behind <see cref="Intrinsics.Scratch"/> in an IL delegate: one slot per call site. A call takes a site's
/// buffer from its slot the first time the site runs (or allocates one), reuses it, cleared, each time the site runs
/// again, and puts it back when it returns. Two threads calling one delegate never share a buffer: the slot is emptied
/// atomically by the call that takes it, and a call finding it empty allocates its own. A call that throws loses its
/// buffers to the garbage collector; the next call allocates new ones.
/// </summary>
internal sealed class ScratchPool
{
    public static readonly MethodInfo Scratch = typeof(Intrinsics).GetMethod(nameof(Intrinsics.Scratch))!;

    private static readonly MethodInfo TakeMethod = typeof(ScratchPool).GetMethod(nameof(Take))!;
    private static readonly MethodInfo GiveMethod = typeof(ScratchPool).GetMethod(nameof(Give))!;

    private double[]?[] _slots = [];

    /// <summary>Sizes the slots once the method's sites are counted.</summary>
    public void Resize(int sites) => _slots = new double[]?[sites];

    /// <summary>A zeroed array of <paramref name="length"/> for site <paramref name="slot"/>: the one this call holds,
    /// else the pooled one, when either has that length; else a new one. <paramref name="held"/> then refers to it.</summary>
    public static double[] Take(int length, ScratchPool pool, int slot, ref double[]? held)
    {
        if (held is { } mine && mine.Length == length)
        {
            Array.Clear(mine);
            return mine;
        }
        var pooled = Interlocked.Exchange(ref pool._slots[slot], null);
        if (pooled is not null && pooled.Length == length) Array.Clear(pooled);
        else pooled = new double[length];
        held = pooled;
        return pooled;
    }

    /// <summary>Puts the call's buffer for site <paramref name="slot"/> back (when it took one).</summary>
    public static void Give(ScratchPool pool, int slot, double[]? held)
    {
        if (held is not null) Volatile.Write(ref pool._slots[slot], held);
    }

    internal static MethodInfo TakeMethodInfo => TakeMethod;

    /// <summary>Emits <c>Give(pool, slot, held)</c>, the pool already on the stack.</summary>
    internal static void EmitGive(ILGenerator il, int slot, LocalBuilder held)
    {
        il.Emit(OpCodes.Ldc_I4, slot);
        il.Emit(OpCodes.Ldloc, held);
        il.Emit(OpCodes.Call, GiveMethod);
    }
}
