namespace ExprDiff.Graphs;

/// <summary>
/// A builder's nodes and its hash-consing index. Nodes live in pages that are never moved, so growing never copies them (a
/// million-deep expression's derivative has millions of nodes, and doubling one array of them would copy and
/// re-commit hundreds of megabytes at a time). The index is open addressing over node ids (linear probing, at most half
/// full), each slot holding a node's id and hash so probing and growing rarely read a node: 16 to 32 bytes a node, where
/// a dictionary keyed by the node itself took over 90.
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
    // past an occupied slot and a growing rehash read nothing else: for millions of nodes each such read is a cache miss.
    private long[] _slots;
    private int _mask;

    public NodeTable(int capacity = 0)
    {
        int size = 16;
        while (size < 2L * capacity) size <<= 1;
        _slots = new long[size];
        _mask = size - 1;
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
        int existing = Find(node, hash, out int slot);
        return existing >= 0 ? existing : Insert(node, hash, slot);
    }

    /// <summary>Appends <paramref name="node"/>; it is found by later lookups unless an equal node already is.</summary>
    public int Add(in Node node)
    {
        int hash = NodeKey.Hash(node);
        int existing = Find(node, hash, out int slot);
        if (existing >= 0)
        {
            int id = _count;
            Append(node);
            return id;
        }
        return Insert(node, hash, slot);
    }

    private int Find(in Node node, int hash, out int slot)
    {
        int i = hash & _mask;
        while (true)
        {
            long s = _slots[i];
            if (s == 0) { slot = i; return -1; }
            int id = (int)s - 1;
            if ((int)(s >> 32) == hash && NodeKey.Same(this[id], node)) { slot = i; return id; }
            i = (i + 1) & _mask;
        }
    }

    private int Insert(in Node node, int hash, int slot)
    {
        int id = _count;
        Append(node);
        _slots[slot] = (long)hash << 32 | (uint)(id + 1);
        if (2L * _count > _slots.Length) Grow();
        return id;
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

    private void Grow()
    {
        var old = _slots;
        _slots = new long[old.Length * 2];
        _mask = _slots.Length - 1;
        // The indexed ids are distinct nodes: each goes to the first free slot from its hash. Read in slot order, they
        // land in slot order too (at i or i + the old size), so the rehash streams through memory.
        foreach (long s in old)
        {
            if (s == 0) continue;
            int i = (int)(s >> 32) & _mask;
            while (_slots[i] != 0) i = (i + 1) & _mask;
            _slots[i] = s;
        }
    }
}
