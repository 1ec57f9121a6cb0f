namespace ExprDiff.Graphs;

/// <summary>
/// A builder's nodes and its hash-consing index. Nodes live in fixed-size pages, so growing never copies them (a
/// million-deep expression's derivative has millions of nodes, and doubling one array of them would copy and
/// re-commit hundreds of megabytes at a time). The index is open addressing over node ids (linear probing, at most half
/// full): 4 to 8 bytes a node, where a dictionary keyed by the node itself took over 90.
/// </summary>
internal sealed class NodeTable
{
    private const int PageBits = 13;
    private const int PageSize = 1 << PageBits;
    private const int PageMask = PageSize - 1;

    private readonly List<Node[]> _pages = new();
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

    /// <summary>The id of the node equal to <paramref name="node"/>, or −1.</summary>
    public int Find(in Node node) => Find(node, NodeKey.Hash(node), out _);

    /// <summary>The id of the node equal to <paramref name="node"/>, adding it if there is none.</summary>
    public int Intern(in Node node)
    {
        int hash = NodeKey.Hash(node);
        int existing = Find(node, hash, out int slot);
        return existing >= 0 ? existing : Insert(node, slot);
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
        return Insert(node, slot);
    }

    private int Find(in Node node, int hash, out int slot)
    {
        int i = hash & _mask;
        while (true)
        {
            int s = _slots[i];
            if (s == 0) { slot = i; return -1; }
            if (NodeKey.Same(this[s - 1], node)) { slot = i; return s - 1; }
            i = (i + 1) & _mask;
        }
    }

    private int Insert(in Node node, int slot)
    {
        int id = _count;
        Append(node);
        _slots[slot] = id + 1;
        if (2L * _count > _slots.Length) Grow();
        return id;
    }

    private void Append(in Node node)
    {
        if ((_count & PageMask) == 0) _pages.Add(new Node[PageSize]);
        _pages[_count >> PageBits][_count & PageMask] = node;
        _count++;
    }

    private void Grow()
    {
        _slots = new int[_slots.Length * 2];
        _mask = _slots.Length - 1;
        // Re-inserted in id order, so of equal nodes (a graph copied in may hold duplicates) the first is found first.
        for (int id = 0; id < _count; id++)
        {
            int i = NodeKey.Hash(this[id]) & _mask;
            while (_slots[i] != 0)
            {
                if (NodeKey.Same(this[_slots[i] - 1], this[id])) goto next;
                i = (i + 1) & _mask;
            }
            _slots[i] = id + 1;
        next:;
        }
    }
}
