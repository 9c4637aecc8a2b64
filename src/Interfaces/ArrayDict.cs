using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ArrayDictOrleans;

/// <summary>
/// A growable numeric array plus an index that maps <see cref="long"/> keys to rows of it.
/// Every key owns one row of <see cref="Width"/> <see cref="double"/> values; all rows live in one
/// contiguous backing array (row <c>r</c> is elements <c>[r * Width, (r + 1) * Width)</c>), rows freed by
/// <see cref="Remove"/> are reused by later inserts, and the backing array is swapped for a larger
/// one when it is full. Not thread-safe: one writer at a time, as a grain guarantees.
/// </summary>
/// <remarks>
/// The index is an open-addressing hash table (linear probing, backward-shift deletion) over row
/// numbers, so a row costs <c>8 * Width</c> bytes of values, 8 bytes of key and about 8 bytes of index.
/// </remarks>
public sealed partial class ArrayDict
{
    // The first capacity a growing empty ArrayDict takes; it doubles from there.
    private const int DefaultCapacity = 4;

    // A slot of _slots that holds no row.
    private const int EmptySlot = 0;

    // The most rows whose index (at load factor 3/4, a power of two) still fits in one .NET array.
    private const int MaxIndexedRows = (1 << 30) / 4 * 3;

    // Values per row; fixed for the ArrayDict's life.
    private readonly int _width;

    // The key of each row, by row number. A free row instead holds the next free row's number (or -1): the free list is
    // threaded through the keys of the rows it links, so it costs no memory of its own.
    private long[] _keys;

    // The values, row after row: row r is [r * _width, (r + 1) * _width). Rows at or past _rowsInUse may hold stale values.
    private double[] _values;

    // The index: an open-addressing hash table (linear probing, backward-shift deletion) whose entries are row + 1, so
    // that 0 (EmptySlot) means empty without a separate occupancy array. Its length is a power of two.
    private int[] _slots;

    // 64 - log2(_slots.Length): a key's home slot is the top bits of key * 2^64/phi (Fibonacci hashing), which spreads
    // the regular keys of real data (0, 3, 6, ...) evenly over the table.
    private int _slotShift;

    // Rows ever handed out since the last Clear/Compact: rows below it hold a key or are free; rows at or past it are unused.
    private int _rowsInUse;

    // The first row of the free list (rows freed by Remove, reused first by inserts), or -1 when it is empty.
    private int _freeHead = -1;

    // The length of the free list: Count is _rowsInUse - _freeCount.
    private int _freeCount;

    // One bit per row, set while the row is free; allocated at the first Remove. Lets IsRowInUse and enumeration tell a
    // free row from a row whose key happens to equal a row number.
    private ulong[]? _freeRows;

    // Incremented by every change of the set of keys or of the backing arrays, so that enumerators detect them.
    private int _version;

    /// <summary>Creates an empty ArrayDict whose rows hold <paramref name="width"/> values each.</summary>
    /// <param name="width">Values per row, at least 1 (1 is the scalar case).</param>
    /// <param name="capacity">Rows to allocate up front.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is below 1 or <paramref name="capacity"/> is negative or too large.</exception>
    public ArrayDict(int width = 1, int capacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacityFor(width));
        _width = width;
        _keys = capacity == 0 ? [] : new long[capacity];
        _values = capacity == 0 ? [] : new double[(long)capacity * width];
        _slots = CreateSlots(capacity, out _slotShift);
    }

    /// <summary>Values per row.</summary>
    public int Width => _width;

    /// <summary>Keys stored.</summary>
    public int Count => _rowsInUse - _freeCount;

    /// <summary>Rows the backing array holds before it must grow.</summary>
    public int Capacity => _keys.Length;

    /// <summary>
    /// Rows handed out so far: rows <c>[0, RowLimit)</c> are either in use or free (see <see cref="IsRowInUse"/>);
    /// rows from <c>RowLimit</c> on have never been used. Equals <see cref="Count"/> when no row is free.
    /// </summary>
    public int RowLimit => _rowsInUse;

    /// <summary>Rows freed by <see cref="Remove"/> and not yet reused.</summary>
    public int FreeRowCount => _freeCount;

    /// <summary>
    /// The raw view: the backing array's rows <c>[0, RowLimit)</c>, row <c>r</c> at <c>[r * Width, (r + 1) * Width)</c>.
    /// For <c>Width == 1</c>, <c>dict[k] == dict.Values[dict.IndexOf(k)]</c>. Read-only so that every write goes
    /// through a method that change tracking sees; free rows hold stale values.
    /// </summary>
    public ReadOnlySpan<double> Values => new(_values, 0, _rowsInUse * _width);

    /// <summary>The raw view of keys: the key of each row <c>[0, RowLimit)</c>; meaningless for free rows.</summary>
    public ReadOnlySpan<long> RowKeys => new(_keys, 0, _rowsInUse);

    /// <summary>Approximate bytes this ArrayDict holds in memory (backing arrays and index).</summary>
    public long MemoryBytes =>
        ((long)_keys.Length * sizeof(long)) + ((long)_values.Length * sizeof(double)) + ((long)_slots.Length * sizeof(int))
        + ((long)(_freeRows?.Length ?? 0) * sizeof(ulong));


    /// <summary>Gets or sets the value of <paramref name="key"/> in the scalar case (<c>Width == 1</c>); setting adds a missing key.</summary>
    /// <exception cref="KeyNotFoundException">Getting a key that is not present.</exception>
    /// <exception cref="InvalidOperationException">The rows are wider than 1 value: use <see cref="GetRow"/>.</exception>
    public double this[long key]
    {
        get
        {
            EnsureScalar();
            int row = IndexOf(key);
            if (row < 0)
            {
                ThrowKeyNotFound(key);
            }

            return _values[row];
        }
        set
        {
            EnsureScalar();
            int row = IndexOf(key);
            if (row < 0)
            {
                row = AddNewRow(key);
            }
            else
            {
                BeforeRowWrite(row);
            }

            _values[row] = value;
        }
    }

    /// <summary>The row number that holds <paramref name="key"/>, or -1 when the key is absent.</summary>
    public int IndexOf(long key)
    {
        int[] slots = _slots;
        long[] keys = _keys;
        int mask = slots.Length - 1;
        int slot = SlotOf(key, _slotShift);
        while (true)
        {
            int entry = slots[slot];
            if (entry == EmptySlot)
            {
                return -1;
            }

            int row = entry - 1;
            if (keys[row] == key)
            {
                return row;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    public bool ContainsKey(long key) => IndexOf(key) >= 0;

    /// <summary>Gets the scalar value of <paramref name="key"/> when present (<c>Width == 1</c>).</summary>
    /// <exception cref="InvalidOperationException">The rows are wider than 1 value: use <see cref="TryGetRow"/>.</exception>
    public bool TryGetValue(long key, out double value)
    {
        EnsureScalar();
        int row = IndexOf(key);
        if (row < 0)
        {
            value = 0;
            return false;
        }

        value = _values[row];
        return true;
    }

    /// <summary>Gets a read-only view of the row of <paramref name="key"/> when present.</summary>
    public bool TryGetRow(long key, out ReadOnlySpan<double> row)
    {
        int index = IndexOf(key);
        if (index < 0)
        {
            row = default;
            return false;
        }

        row = new ReadOnlySpan<double>(_values, index * _width, _width);
        return true;
    }

    /// <summary>
    /// The row of <paramref name="key"/> as a writable span over the live storage (no copy). Inside a change
    /// scope, the first such access to a row keeps its old values so that a rollback can restore them.
    /// The span is valid until the next insert, which may swap the backing array.
    /// </summary>
    /// <exception cref="KeyNotFoundException"><paramref name="key"/> is not present.</exception>
    public Span<double> GetRow(long key)
    {
        int row = IndexOf(key);
        if (row < 0)
        {
            ThrowKeyNotFound(key);
        }

        BeforeRowWrite(row);
        return new Span<double>(_values, row * _width, _width);
    }

    /// <summary>A read-only view of the row of <paramref name="key"/>; never recorded by change tracking.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="key"/> is not present.</exception>
    public ReadOnlySpan<double> GetRowReadOnly(long key)
    {
        int row = IndexOf(key);
        if (row < 0)
        {
            ThrowKeyNotFound(key);
        }

        return new ReadOnlySpan<double>(_values, row * _width, _width);
    }

    /// <summary>The writable row of <paramref name="key"/>, added (all zeros) when missing.</summary>
    public Span<double> GetOrAddRow(long key)
    {
        int row = IndexOf(key);
        if (row < 0)
        {
            row = AddNewRow(key);
        }
        else
        {
            BeforeRowWrite(row);
        }

        return new Span<double>(_values, row * _width, _width);
    }

    /// <summary>Writable row number <paramref name="row"/> (see <see cref="IndexOf"/>), tracked like <see cref="GetRow"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The row is not in use.</exception>
    public Span<double> GetRowAt(int row)
    {
        if (!IsRowInUse(row))
        {
            ThrowRowNotInUse(row);
        }

        BeforeRowWrite(row);
        return new Span<double>(_values, row * _width, _width);
    }

    /// <summary>Whether row number <paramref name="row"/> holds a key.</summary>
    public bool IsRowInUse(int row) => (uint)row < (uint)_rowsInUse && !IsFree(row);

    /// <summary>Sets the row of <paramref name="key"/> to <paramref name="values"/>, adding the key when missing.</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is not <see cref="Width"/> long.</exception>
    public void SetRow(long key, ReadOnlySpan<double> values)
    {
        CheckRowLength(values.Length);
        values.CopyTo(GetOrAddRow(key));
    }

    /// <summary>Adds <paramref name="key"/> with the scalar <paramref name="value"/> (<c>Width == 1</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is already present.</exception>
    public void Add(long key, double value)
    {
        EnsureScalar();
        AddRow(key)[0] = value;
    }

    /// <summary>Adds <paramref name="key"/> with the row <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is already present, or <paramref name="values"/> is not <see cref="Width"/> long.</exception>
    public void Add(long key, ReadOnlySpan<double> values)
    {
        CheckRowLength(values.Length);
        values.CopyTo(AddRow(key));
    }

    /// <summary>Adds <paramref name="key"/> with a row of zeros and returns that row to fill in.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is already present.</exception>
    public Span<double> AddRow(long key)
    {
        if (IndexOf(key) >= 0)
        {
            ThrowKeyPresent(key);
        }

        int row = AddNewRow(key);
        return new Span<double>(_values, row * _width, _width);
    }

    /// <summary>Removes <paramref name="key"/> and frees its row for a later insert.</summary>
    /// <returns>Whether the key was present.</returns>
    public bool Remove(long key)
    {
        int row = IndexOf(key);
        if (row < 0)
        {
            return false;
        }

        _recording?.RecordRemove(key, row);
        RemoveFromIndex(key);
        PushFreeRow(row);
        _version++;
        return true;
    }

    /// <summary>Removes every key; the capacity stays.</summary>
    public void Clear()
    {
        _recording?.RecordWholeState();
        Array.Clear(_slots);
        _rowsInUse = 0;
        _freeHead = -1;
        _freeCount = 0;
        if (_freeRows is not null)
        {
            Array.Clear(_freeRows);
        }

        _version++;
    }

    /// <summary>Grows the backing array so that it holds at least <paramref name="capacity"/> rows.</summary>
    /// <returns>The capacity now.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative or beyond the largest array.</exception>
    public int EnsureCapacity(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacityFor(_width));
        if (capacity > _keys.Length)
        {
            Resize(capacity);
        }

        return _keys.Length;
    }

    /// <summary>
    /// Closes the holes left by removals: moves the last rows into the free ones so that rows
    /// <c>[0, Count)</c> are all in use. Every key keeps its values; the rows of moved keys change.
    /// </summary>
    public void Compact()
    {
        if (_freeCount == 0)
        {
            return;
        }

        _recording?.RecordWholeState();
        int target = 0;
        int last = _rowsInUse - 1;
        int count = Count;
        while (true)
        {
            while (target < count && !IsFree(target))
            {
                target++;
            }

            while (last >= count && IsFree(last))
            {
                last--;
            }

            if (target >= count || last < count)
            {
                break;
            }

            long key = _keys[last];
            _keys[target] = key;
            Array.Copy(_values, (long)last * _width, _values, (long)target * _width, _width);
            ReplaceRowInIndex(key, last, target);
            target++;
            last--;
        }

        _rowsInUse = count;
        _freeHead = -1;
        _freeCount = 0;
        Array.Clear(_freeRows!);
        _version++;
    }

    /// <summary>Shrinks the backing array to <see cref="Count"/> rows (compacting first).</summary>
    public void TrimExcess()
    {
        Compact();
        if (_keys.Length != _rowsInUse)
        {
            Resize(_rowsInUse);
        }
    }

    /// <summary>A deep copy with the same keys, rows and free rows.</summary>
    public ArrayDict Clone()
    {
        var copy = new ArrayDict(_width, Capacity);
        Array.Copy(_keys, copy._keys, _rowsInUse);
        Array.Copy(_values, copy._values, (long)_rowsInUse * _width);
        Array.Copy(_slots, copy._slots, _slots.Length);
        copy._rowsInUse = _rowsInUse;
        copy._freeHead = _freeHead;
        copy._freeCount = _freeCount;
        copy._freeRows = (ulong[]?)_freeRows?.Clone();
        return copy;
    }

    /// <summary>Whether <paramref name="other"/> has the same width and the same keys with the same values (rows may differ).</summary>
    public bool ContentEquals(ArrayDict other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._width != _width || other.Count != Count)
        {
            return false;
        }

        for (int row = 0; row < _rowsInUse; row++)
        {
            if (IsFree(row))
            {
                continue;
            }

            if (!other.TryGetRow(_keys[row], out var theirs)
                || !theirs.SequenceEqual(new ReadOnlySpan<double>(_values, row * _width, _width)))
            {
                return false;
            }
        }

        return true;
    }

    internal int Version => _version;

    internal long[] KeyArray => _keys;

    internal double[] ValueArray => _values;

    internal bool IsFree(int row) => _freeRows is not null && (_freeRows[row >> 6] & (1UL << row)) != 0;

    /// <summary>Sets the rows of a dict created with enough capacity from keys already copied into <see cref="KeyArray"/>.</summary>
    /// <returns>The first duplicated key, or null when all keys are distinct.</returns>
    internal long? AdoptRows(int rowCount)
    {
        _rowsInUse = rowCount;
        for (int row = 0; row < rowCount; row++)
        {
            if (!TryInsertIntoIndex(_keys[row], row))
            {
                Array.Clear(_slots);
                _rowsInUse = 0;
                return _keys[row];
            }
        }

        return null;
    }

    /// <summary>The most rows an ArrayDict of <paramref name="width"/> can hold: the backing array and the index must each fit in one .NET array.</summary>
    internal static int MaxCapacityFor(int width) => Math.Min(Array.MaxLength / width, MaxIndexedRows);

    private static int SlotOf(long key, int shift) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> shift);

    private static int[] CreateSlots(int capacity, out int shift)
    {
        // Load factor at most 3/4 when every row is in use; a power of two so that a shift picks the slot.
        long wanted = Math.Max(4, ((long)capacity * 4 / 3) + 1);
        int log2 = (int)Math.Min(30, 64 - BitOperations.LeadingZeroCount((ulong)(wanted - 1)));
        shift = 64 - log2;
        return new int[1 << log2];
    }

    private void EnsureScalar()
    {
        if (_width != 1)
        {
            ThrowNotScalar();
        }
    }

    private void CheckRowLength(int length)
    {
        if (length != _width)
        {
            ThrowRowLength(length);
        }
    }

    private int AddNewRow(long key)
    {
        int row;
        bool reused;
        if (_freeCount > 0)
        {
            row = PopFreeRow();
            reused = true;
        }
        else
        {
            if (_rowsInUse == _keys.Length)
            {
                Grow();
            }

            row = _rowsInUse++;
            reused = false;
        }

        // Rows past RowLimit may hold stale values (left by Clear, Compact or a rollback), so clear them too.
        new Span<double>(_values, row * _width, _width).Clear();
        _keys[row] = key;
        TryInsertIntoIndex(key, row);
        _version++;
        _recording?.RecordAdd(key, row, reused);
        return row;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        int max = MaxCapacityFor(_width);
        if (_keys.Length >= max)
        {
            ThrowFull();
        }

        long doubled = Math.Max(DefaultCapacity, (long)_keys.Length * 2);
        Resize((int)Math.Min(doubled, max));
    }

    private void Resize(int capacity)
    {
        Array.Resize(ref _keys, capacity);
        Array.Resize(ref _values, capacity * _width);
        if (_freeRows is not null)
        {
            Array.Resize(ref _freeRows, (capacity + 63) >> 6);
        }

        var slots = CreateSlots(capacity, out int shift);
        if (slots.Length != _slots.Length)
        {
            _slots = slots;
            _slotShift = shift;
            for (int row = 0; row < _rowsInUse; row++)
            {
                if (!IsFree(row))
                {
                    TryInsertIntoIndex(_keys[row], row);
                }
            }
        }

        _version++;
    }

    private bool TryInsertIntoIndex(long key, int row)
    {
        int[] slots = _slots;
        int mask = slots.Length - 1;
        int slot = SlotOf(key, _slotShift);
        while (true)
        {
            int entry = slots[slot];
            if (entry == EmptySlot)
            {
                slots[slot] = row + 1;
                return true;
            }

            if (_keys[entry - 1] == key)
            {
                return false;
            }

            slot = (slot + 1) & mask;
        }
    }

    private int FindSlot(long key)
    {
        int mask = _slots.Length - 1;
        int slot = SlotOf(key, _slotShift);
        while (_keys[_slots[slot] - 1] != key)
        {
            slot = (slot + 1) & mask;
        }

        return slot;
    }

    private void ReplaceRowInIndex(long key, int oldRow, int newRow)
    {
        int mask = _slots.Length - 1;
        int slot = SlotOf(key, _slotShift);
        while (_slots[slot] != oldRow + 1)
        {
            slot = (slot + 1) & mask;
        }

        _slots[slot] = newRow + 1;
    }

    private void RemoveFromIndex(long key)
    {
        int[] slots = _slots;
        int mask = slots.Length - 1;
        int hole = FindSlot(key);
        int next = hole;
        while (true)
        {
            next = (next + 1) & mask;
            int entry = slots[next];
            if (entry == EmptySlot)
            {
                break;
            }

            int home = SlotOf(_keys[entry - 1], _slotShift);

            // The entry may move back into the hole unless its home lies cyclically in (hole, next].
            bool homeBetween = hole <= next ? home > hole && home <= next : home > hole || home <= next;
            if (!homeBetween)
            {
                slots[hole] = entry;
                hole = next;
            }
        }

        slots[hole] = EmptySlot;
    }

    private void PushFreeRow(int row)
    {
        _freeRows ??= new ulong[(_keys.Length + 63) >> 6];
        _freeRows[row >> 6] |= 1UL << row;
        _keys[row] = _freeHead;
        _freeHead = row;
        _freeCount++;
    }

    private int PopFreeRow()
    {
        int row = _freeHead;
        _freeHead = (int)_keys[row];
        _freeRows![row >> 6] &= ~(1UL << row);
        _freeCount--;
        return row;
    }

    [DoesNotReturn]
    private static void ThrowKeyNotFound(long key) =>
        throw new KeyNotFoundException($"The key {key} is not present in the ArrayDict.");

    [DoesNotReturn]
    private void ThrowNotScalar() =>
        throw new InvalidOperationException($"This ArrayDict has rows of {_width} values; the scalar indexer and Add(key, value) work only for width 1. Use GetRow, SetRow or Add(key, row) instead.");

    [DoesNotReturn]
    private static void ThrowKeyPresent(long key) =>
        throw new ArgumentException($"The key {key} is already present.", "key");

    [DoesNotReturn]
    private void ThrowRowNotInUse(int row) =>
        throw new ArgumentOutOfRangeException(nameof(row), row, $"Row {row} is not in use (rows in use lie below {_rowsInUse}, {_freeCount} of them free).");

    [DoesNotReturn]
    private void ThrowRowLength(int length) =>
        throw new ArgumentException($"A row of this ArrayDict holds {_width} values, but {length} were given.", "values");

    [DoesNotReturn]
    private void ThrowFull() =>
        throw new InvalidOperationException($"The ArrayDict is full: {_keys.Length} rows of {_width} values is the largest array .NET allows.");
}
