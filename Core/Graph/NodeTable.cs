namespace ExprDiff.Graphs;

/// <summary>
/// A builder's nodes and its hash-consing index. Nodes live in pages that are never moved, so growing never copies them (a
/// million-deep expression's derivative has millions of nodes, and doubling one array of them would copy and
/// re-commit hundreds of megabytes at a time). The index is open addressing over node ids (linear probing, at most half
/// full), each slot holding a node's id and hash so probing and growing rarely read a node: 16 to 32 bytes a node, where
/// a dictionary keyed by the node itself took over 90.
/// <para>
/// The index is split into regions by each node's newest operand (1,024 operands a region; nodes without operands share
/// one), each region a small table of its own, allocated one after another. A builder mostly makes nodes of operands it
/// has just made, so its lookups stay in a few recent, small regions that are in cache; one table over millions of nodes
/// made every lookup a cache and TLB miss, the largest cost of building a deep derivative.
/// </para>
/// </summary>
internal sealed class NodeTable
{
    // Pages double from 1,024 nodes (40 KB, so a small builder stays small) up to 65,536 (2.6 MB), then stay at that size.
    // Large pages live in the large-object heap, where a collection never copies them: with small pages, every node of a
    // long-lived builder was copied twice by the collector (into generation 1, then 2), which cost a deep expression's
    // derivative more than making the nodes did.
    private const int FirstPageBits = 10;
    private const int LastPageBits = 16;
    private const int DoublingPages = LastPageBits - FirstPageBits + 1;
    // The first id of the fixed-size pages: the doubling pages hold 1,024 · (2^7 − 1) ids.
    private const int FixedStart = ((1 << DoublingPages) - 1) << FirstPageBits;
    private const int FixedMask = (1 << LastPageBits) - 1;

    // Arrays rather than lists: the indexer is the hottest code of a builder.
    private Node[][] _pages = new Node[4][];
    private int _pageCount;
    private int _count;
    // Slot: the node's hash in the high half, id + 1 in the low half; 0 is empty. With the hash in the slot, a probe
    // past an occupied slot and a growing rehash read nothing else.
    // Region r's table is _regionSlots[r][_regionOffset[r] .. + _regionMask[r]]: a slice of a shared chunk while small, an
    // array of its own once large. A region that grows moves to a slice twice as large; the old slice is kept for another region.
    private const int RegionBits = 10;
    private const int FirstRegionSlots = 8;
    private const int LargestChunk = 1 << 16; // 512 KB
    private long[]?[] _regionSlots = new long[]?[4];
    private int[] _regionOffset = new int[4];
    private int[] _regionMask = new int[4];
    private int[] _regionCount = new int[4];
    private long[] _chunk;
    private int _chunkUsed;
    // Slices that regions grew out of, by log2 of their size, for regions that reach that size later: without reuse the
    // abandoned slices would be as large as the index itself.
    private readonly Stack<(long[] Slots, int Offset)>?[] _freeSlices = new Stack<(long[], int)>?[16];

    /// <param name="capacity">Nodes expected: the first chunk of the index is sized for them (up to 512 KB).</param>
    public NodeTable(int capacity = 0)
    {
        int size = 64;
        while (size < 2L * capacity && size < LargestChunk) size <<= 1;
        _chunk = new long[size];
    }

    public int Count => _count;

    public ref readonly Node this[int id]
    {
        get
        {
            int page = Page(id, out int offset);
            return ref _pages[page][offset];
        }
    }

    /// <summary>The page of <paramref name="id"/> and its offset there.</summary>
    private static int Page(int id, out int offset)
    {
        if (id >= FixedStart)
        {
            int r = id - FixedStart;
            offset = r & FixedMask;
            return DoublingPages + (r >> LastPageBits);
        }
        // Page p starts at 1,024 · (2^p − 1).
        int p = System.Numerics.BitOperations.Log2((uint)(id >> FirstPageBits) + 1);
        offset = id - (((1 << p) - 1) << FirstPageBits);
        return p;
    }

    /// <summary>The id of the node equal to <paramref name="node"/>, adding it if there is none.</summary>
    public int Intern(in Node node)
    {
        int hash = NodeKey.Hash(node);
        int existing = Find(node, hash, out int region, out int slot);
        return existing >= 0 ? existing : Insert(node, hash, region, slot);
    }

    /// <summary>Appends <paramref name="node"/>; it is found by later lookups unless an equal node already is.</summary>
    public int Add(in Node node)
    {
        int hash = NodeKey.Hash(node);
        int existing = Find(node, hash, out int region, out int slot);
        if (existing >= 0)
        {
            int id = _count;
            Append(node);
            return id;
        }
        return Insert(node, hash, region, slot);
    }

    /// <summary>The region of <paramref name="node"/>'s index: by its newest operand (0: no operands).</summary>
    private int RegionOf(in Node node)
    {
        int newest = Math.Max(node.A, Math.Max(node.B, node.C));
        if (node.Args is { } args) foreach (int a in args) newest = Math.Max(newest, a);
        int region = newest < 0 ? 0 : (newest >> RegionBits) + 1;
        if (region >= _regionSlots.Length) GrowDirectory(region);
        if (_regionSlots[region] is null) (_regionSlots[region], _regionOffset[region]) = Slice(FirstRegionSlots, out _regionMask[region]);
        return region;
    }

    private int Find(in Node node, int hash, out int region, out int slot)
    {
        region = RegionOf(node);
        var slots = _regionSlots[region]!;
        int offset = _regionOffset[region], mask = _regionMask[region];
        int i = hash & mask;
        while (true)
        {
            long s = slots[offset + i];
            if (s == 0) { slot = i; return -1; }
            int id = (int)s - 1;
            if ((int)(s >> 32) == hash && NodeKey.Same(this[id], node)) { slot = i; return id; }
            i = (i + 1) & mask;
        }
    }

    private int Insert(in Node node, int hash, int region, int slot)
    {
        int id = _count;
        Append(node);
        _regionSlots[region]![_regionOffset[region] + slot] = (long)hash << 32 | (uint)(id + 1);
        if (2 * ++_regionCount[region] > _regionMask[region] + 1) GrowRegion(region);
        return id;
    }

    private void GrowDirectory(int region)
    {
        int size = _regionSlots.Length;
        while (size <= region) size *= 2;
        Array.Resize(ref _regionSlots, size);
        Array.Resize(ref _regionOffset, size);
        Array.Resize(ref _regionMask, size);
        Array.Resize(ref _regionCount, size);
    }

    /// <summary>Cleared room for <paramref name="size"/> slots (a power of two): the next part of the current chunk, a
    /// new chunk (each as large as the index so far, up to 512 KB), or an array of its own for a region that large.</summary>
    private (long[] Slots, int Offset) Slice(int size, out int mask)
    {
        mask = size - 1;
        if (size >= LargestChunk / 2) return (new long[size], 0);
        if (_freeSlices[System.Numerics.BitOperations.Log2((uint)size)] is { Count: > 0 } free)
        {
            var reused = free.Pop();
            Array.Clear(reused.Slots, reused.Offset, size);
            return reused;
        }
        if (_chunkUsed + size > _chunk.Length)
        {
            _chunk = new long[Math.Min(LargestChunk, Math.Max(2 * _chunk.Length, size))];
            _chunkUsed = 0;
        }
        int offset = _chunkUsed;
        _chunkUsed += size;
        return (_chunk, offset);
    }

    private void GrowRegion(int region)
    {
        var old = _regionSlots[region]!;
        int oldOffset = _regionOffset[region], oldSize = _regionMask[region] + 1;
        var (slots, offset) = Slice(2 * oldSize, out int mask);
        // The indexed ids are distinct nodes: each goes to the first free slot from its hash.
        for (int k = 0; k < oldSize; k++)
        {
            long s = old[oldOffset + k];
            if (s == 0) continue;
            int i = (int)(s >> 32) & mask;
            while (slots[offset + i] != 0) i = (i + 1) & mask;
            slots[offset + i] = s;
        }
        (_regionSlots[region], _regionOffset[region], _regionMask[region]) = (slots, offset, mask);
        if (oldSize < LargestChunk / 2)
            (_freeSlices[System.Numerics.BitOperations.Log2((uint)oldSize)] ??= new()).Push((old, oldOffset));
    }

    private void Append(in Node node)
    {
        int page = Page(_count, out int offset);
        if (page == _pageCount)
        {
            if (page == _pages.Length) Array.Resize(ref _pages, 2 * page);
            _pages[page] = new Node[1 << Math.Min(FirstPageBits + page, LastPageBits)];
            _pageCount++;
        }
        _pages[page][offset] = node;
        _count++;
    }
}
