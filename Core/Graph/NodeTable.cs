namespace ExprDiff.Graphs;

/// <summary>
/// A builder's nodes and its hash-consing index. Nodes live in pages that are never moved, so growing never copies them (a
/// million-deep expression's derivative has millions of nodes, and doubling one array of them would copy and
/// re-commit hundreds of megabytes at a time). The index is open addressing over node ids (linear probing, at most half
/// full), with each node's hash kept beside it so probing and growing rarely read a node: 12 to 20 bytes a node, where a
/// dictionary keyed by the node itself took over 90.
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
    private int[][] _hashPages = new int[4][];
    private int _pageCount;
    private int _count;
    // Slot: id + 1; 0 is empty.
    private int[] _slots;
    private int _mask;

    public NodeTable(int capacity = 0)
    {
        int size = 16;
        while (size < 2L * capacity) size <<= 1;
        _slots = new int[size];
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
            Append(node, hash);
            return id;
        }
        return Insert(node, hash, slot);
    }

    private int Find(in Node node, int hash, out int slot)
    {
        int i = hash & _mask;
        while (true)
        {
            int s = _slots[i];
            if (s == 0) { slot = i; return -1; }
            int id = s - 1;
            if (HashOf(id) == hash && NodeKey.Same(this[id], node)) { slot = i; return id; }
            i = (i + 1) & _mask;
        }
    }

    private int HashOf(int id)
    {
        int page = Page(id, out int offset);
        return _hashPages[page][offset];
    }

    private int Insert(in Node node, int hash, int slot)
    {
        int id = _count;
        Append(node, hash);
        _slots[slot] = id + 1;
        if (2L * _count > _slots.Length) Grow();
        return id;
    }

    private void Append(in Node node, int hash)
    {
        int page = Page(_count, out int offset);
        if (page == _pageCount)
        {
            if (page == _pages.Length)
            {
                Array.Resize(ref _pages, 2 * page);
                Array.Resize(ref _hashPages, 2 * page);
            }
            int size = 1 << Math.Min(FirstPageBits + page, LastPageBits);
            _pages[page] = new Node[size];
            _hashPages[page] = new int[size];
            _pageCount++;
        }
        _pages[page][offset] = node;
        _hashPages[page][offset] = hash;
        _count++;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new int[old.Length * 2];
        _mask = _slots.Length - 1;
        // The indexed ids are distinct nodes: each goes to the first free slot from its hash.
        foreach (int s in old)
        {
            if (s == 0) continue;
            int i = HashOf(s - 1) & _mask;
            while (_slots[i] != 0) i = (i + 1) & _mask;
            _slots[i] = s;
        }
    }
}
