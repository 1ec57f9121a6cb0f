namespace ExprDiff.Import;

/// <summary>
/// A stack in chunks that are never copied: the importer's work stack holds a few frames per level of the expression,
/// millions for a deep one, and a doubling array copied and re-allocated hundreds of megabytes on the way there (each
/// growth a large-object allocation, which also brings full collections nearer). Chunks are kept once made.
/// </summary>
internal sealed class ChunkedStack<T>
{
    private const int ChunkBits = 13;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    // The first chunk is small, so a small expression's importer allocates little.
    private T[][] _chunks = [new T[64]];
    private int _count;

    public int Count => _count;

    public void Push(in T item)
    {
        int chunk = _count >> ChunkBits, offset = _count & ChunkMask;
        if (chunk == 0 && offset == _chunks[0].Length)
        {
            if (offset < ChunkSize) Array.Resize(ref _chunks[0], Math.Min(2 * offset, ChunkSize));
        }
        if (chunk == _chunks.Length) Array.Resize(ref _chunks, 2 * chunk);
        _chunks[chunk] ??= new T[ChunkSize];
        _chunks[chunk][offset] = item;
        _count++;
    }

    public T Pop()
    {
        if (_count == 0) throw new InvalidOperationException("the stack is empty");
        _count--;
        ref var slot = ref _chunks[_count >> ChunkBits][_count & ChunkMask];
        var item = slot;
        slot = default!; // a popped frame must not keep its expression alive
        return item;
    }
}
