namespace ArrayDictOrleans;

public sealed partial class ArrayDict
{
    /// <summary>
    /// Enumerates the (key, row) pairs in row order. Adding, removing, clearing, compacting or resizing while
    /// enumerating throws <see cref="InvalidOperationException"/>; writing values does not.
    /// </summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>The keys, in row order; the same rules as <see cref="GetEnumerator"/> apply.</summary>
    public IEnumerable<long> Keys
    {
        get
        {
            int version = _version;
            for (int row = 0; row < _rowsInUse; row++)
            {
                if (version != _version)
                {
                    ThrowChangedWhileEnumerating();
                }

                if (!IsFree(row))
                {
                    yield return _keys[row];
                }
            }

            if (version != _version)
            {
                ThrowChangedWhileEnumerating();
            }
        }
    }

    private static void ThrowChangedWhileEnumerating() =>
        throw new InvalidOperationException("The ArrayDict was changed (a key added or removed, cleared, compacted or resized) while it was being enumerated.");

    /// <summary>One key and a read-only view of its row.</summary>
    /// <param name="Key">The key.</param>
    /// <param name="Row">The row number (see <see cref="IndexOf"/>).</param>
    /// <param name="Values">The row's values, over the live storage.</param>
    public readonly ref struct Entry(long Key, int Row, ReadOnlySpan<double> Values)
    {
        /// <summary>The key.</summary>
        public long Key { get; } = Key;

        /// <summary>The row number (see <see cref="IndexOf"/>).</summary>
        public int Row { get; } = Row;

        /// <summary>The row's values, over the live storage.</summary>
        public ReadOnlySpan<double> Values { get; } = Values;

        /// <summary>Deconstructs into key and values.</summary>
        public void Deconstruct(out long key, out ReadOnlySpan<double> values)
        {
            key = Key;
            values = Values;
        }
    }

    /// <summary>Enumerates the (key, row) pairs of an ArrayDict without allocating.</summary>
    public ref struct Enumerator
    {
        private readonly ArrayDict _dict;
        private readonly int _version;
        private int _row;

        internal Enumerator(ArrayDict dict)
        {
            _dict = dict;
            _version = dict._version;
            _row = -1;
        }

        /// <summary>The current pair.</summary>
        public readonly Entry Current =>
            new(_dict._keys[_row], _row, new ReadOnlySpan<double>(_dict._values, _row * _dict._width, _dict._width));

        /// <summary>Moves to the next row in use.</summary>
        /// <exception cref="InvalidOperationException">The ArrayDict was changed since enumeration began.</exception>
        public bool MoveNext()
        {
            if (_version != _dict._version)
            {
                ThrowChangedWhileEnumerating();
            }

            while (++_row < _dict._rowsInUse)
            {
                if (!_dict.IsFree(_row))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
