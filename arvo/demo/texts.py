"""Text columns of the generated frames, picked by index from a small table (Arrow takes).

A frame of a million events names a few dozen services, providers and months and tens of
thousands of residents: picking each row's text from the table as an Arrow array gives
pandas' own Arrow-backed strings without a Python string per row, with the same values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa


def pick(table: Sequence | np.ndarray | pd.Series, index: np.ndarray) -> pd.Series:
    """`table[index]` as a text column; an index of -1 (or a None in the table) is missing."""
    values = table if isinstance(table, pd.Series) else np.asarray(table, dtype=object)
    texts = pa.array(values, type=pa.large_string(), from_pandas=True)
    index = np.asarray(index, dtype=np.int64)
    missing = index < 0
    return texts.take(pa.array(index, mask=missing) if missing.any()
                      else pa.array(index)).to_pandas()
