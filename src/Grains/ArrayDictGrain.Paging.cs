namespace ArrayDictOrleans.Grains;

/// <summary>Paged export and all-or-nothing paged import, for ArrayDicts larger than one message.</summary>
public sealed partial class ArrayDictGrain
{
    private readonly Guid _activationId = Guid.NewGuid();
    private long _generation;
    private StagedImport? _import;

    /// <inheritdoc />
    public Task<ArrayDictPage> ExportPageAsync(int startRow, int maxRows)
    {
        ThrowIfDamaged();
        ArgumentOutOfRangeException.ThrowIfNegative(startRow);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        var dict = Dict;
        int width = dict.Width;
        _limits.CheckCall(maxRows, width, $"An export page of ArrayDict {this.GetPrimaryKeyLong()}");
        int limit = dict.RowLimit;
        int start = Math.Min(startRow, limit);
        int taken;
        int end;
        if (dict.FreeRowCount == 0)
        {
            taken = Math.Min(maxRows, limit - start);
            end = start + taken;
        }
        else
        {
            taken = 0;
            end = start;
            while (end < limit && taken < maxRows)
            {
                if (dict.IsRowInUse(end))
                {
                    taken++;
                }

                end++;
            }

            // Skip the free rows that follow, so that the last page says it is the last.
            while (end < limit && !dict.IsRowInUse(end))
            {
                end++;
            }
        }

        var keys = new long[taken];
        var values = new double[(long)taken * width];
        if (dict.FreeRowCount == 0)
        {
            dict.RowKeys.Slice(start, taken).CopyTo(keys);
            dict.Values.Slice(start * width, taken * width).CopyTo(values);
        }
        else
        {
            int i = 0;
            for (int row = start; row < end; row++)
            {
                if (dict.IsRowInUse(row))
                {
                    keys[i] = dict.RowKeys[row];
                    dict.Values.Slice(row * width, width).CopyTo(values.AsSpan(i * width, width));
                    i++;
                }
            }
        }

        return Task.FromResult(new ArrayDictPage(new RowBatch(width, keys, values), end < limit ? end : -1, dict.Count, _activationId, _generation));
    }

    /// <inheritdoc />
    public Task<Guid> BeginImportAsync(int width, int expectedRows)
    {
        ThrowIfDamaged();
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRows);
        _limits.CheckSize(expectedRows, width, $"An import into ArrayDict {this.GetPrimaryKeyLong()}");
        _import = null;

        // Not sized for the rows announced: the staging ArrayDict grows as pages bring rows.
        var staged = new StagedImport(Guid.NewGuid(), new ArrayDict(width), expectedRows);
        _import = staged;
        return Task.FromResult(staged.Id);
    }

    /// <inheritdoc />
    public Task ImportPageAsync(Guid importId, RowBatch rows)
    {
        ThrowIfDamaged();
        ArgumentNullException.ThrowIfNull(rows);
        var staged = StagedFor(importId);
        try
        {
            rows.Validate(staged.Dict.Width);
            _limits.CheckCall(rows.Count, rows.Width, $"An import page of ArrayDict {this.GetPrimaryKeyLong()}");
            if ((long)staged.Dict.Count + rows.Count > staged.ExpectedRows)
            {
                throw new InvalidOperationException(
                    $"Import {importId} into ArrayDict {this.GetPrimaryKeyLong()} announced {staged.ExpectedRows} rows but was sent more; nothing was changed.");
            }

            for (int i = 0; i < rows.Count; i++)
            {
                long key = rows.Keys[i];
                if (staged.Dict.ContainsKey(key))
                {
                    throw new ArgumentException($"The import into ArrayDict {this.GetPrimaryKeyLong()} holds the key {key} twice; nothing was changed.", nameof(rows));
                }

                staged.Dict.Add(key, rows.Row(i));
            }
        }
        catch
        {
            _import = null;
            throw;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task CommitImportAsync(Guid importId)
    {
        ThrowIfDamaged();
        var staged = StagedFor(importId);
        _import = null;
        if (staged.Dict.Count != staged.ExpectedRows)
        {
            throw new InvalidOperationException(
                $"Import {importId} into ArrayDict {this.GetPrimaryKeyLong()} announced {staged.ExpectedRows} rows but received {staged.Dict.Count}; nothing was changed.");
        }

        await ImportAsync(staged.Dict);
    }

    /// <inheritdoc />
    public Task AbortImportAsync(Guid importId)
    {
        ThrowIfDamaged();
        if (_import?.Id == importId)
        {
            _import = null;
        }

        return Task.CompletedTask;
    }

    /// <summary>Marks the ArrayDict as changed, so that a paged export running across the change notices it.</summary>
    private void NoteChange() => _generation++;

    private StagedImport StagedFor(Guid importId) =>
        _import is { } staged && staged.Id == importId
            ? staged
            : throw new InvalidOperationException(
                $"ArrayDict {this.GetPrimaryKeyLong()} has no import {importId} in progress: it was committed, aborted, replaced by a newer import, or lost when the grain was deactivated. Start the import again.");

    /// <summary>An import in progress: the staging ArrayDict and how many rows it must end with.</summary>
    private sealed record StagedImport(Guid Id, ArrayDict Dict, int ExpectedRows);
}
