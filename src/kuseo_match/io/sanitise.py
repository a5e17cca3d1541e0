"""Text made safe for spreadsheets: cells that Excel would run as formulas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    pass


#: Text cells starting with one of these are prefixed with ``'`` on output.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cannot run as a spreadsheet formula.

    Every text cell, and every text column header, that starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
    quote ``'`` (the OWASP advice against CSV injection).  Numbers, missing
    values, other text and the index are left as they are; a negative number
    stays a number.

    Parameters
    ----------
    df : pandas.DataFrame
        Any frame; not changed.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same shape, index and column dtypes (a
        categorical column becomes ``object`` when a category is changed).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"note": ["=HYPERLINK(\\"http://x\\")", "-2+3", "บ้านเลขที่ 5"],
    ...                    "delta": [-5.0, 1.0, 2.0]})
    >>> out = neutralise_formulas(df)
    >>> out["note"].tolist()
    ['\\'=HYPERLINK("http://x")', "'-2+3", 'บ้านเลขที่ 5']
    >>> out["delta"].tolist()
    [-5.0, 1.0, 2.0]
    >>> df["note"].iloc[1]  # the input is unchanged
    '-2+3'
    """
    out = df.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        dtype = col.dtype
        if not (
            pd.api.types.is_object_dtype(dtype)
            or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype)
        ):
            continue
        values = col.to_numpy(dtype=object, copy=True)
        hit = np.fromiter(
            (isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) for v in values),
            dtype=bool,
            count=len(values),
        )
        if not hit.any():
            continue
        values[hit] = ["'" + v for v in values[hit]]
        keep = dtype if isinstance(dtype, pd.StringDtype) else object
        out.isetitem(i, pd.Series(values, index=out.index, dtype=keep))
    if any(_neutral(c) is not c for c in out.columns):
        out.columns = out.columns.map(_neutral)
    return out
