namespace ExprDiff.Graphs;

/// <summary>
/// A builder's nodes and its hash-consing index. Nodes live in fixed-size pages, so growing never copies them (a
/// million-deep expression's derivative has millions of nodes, and doubling one array of them would copy and
/// re-commit hundreds of megabytes at a time). The index is open addressing over node ids (linear probing, at most half
/// full), with each node's hash kept beside it so probing and growing rarely read a node: 12 to 20 bytes a node, where a
/// dictionary keyed by the node itself took over 90.
/// </summary>
internal sealed class NodeTable
{
    // 1,024 nodes (40 KB): below the large-object threshold, so a dead builder's pages are reclaimed by ordinary
    // collections and their memory reused, where large-object pages stayed in the working set until a full one.
    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;
    private const int PageMask = PageSize - 1;

    private readonly List<Node[]> _pages = new();
    private readonly List<int[]> _hashPages = new();
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

    public ref readonly Node this[int id] => ref _pages[id >> PageBits][id & PageMask];

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

    private int HashOf(int id) => _hashPages[id >> PageBits][id & PageMask];

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
        if ((_count & PageMask) == 0)
        {
            _pages.Add(new Node[PageSize]);
            _hashPages.Add(new int[PageSize]);
        }
        _pages[_count >> PageBits][_count & PageMask] = node;
        _hashPages[_count >> PageBits][_count & PageMask] = hash;
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
