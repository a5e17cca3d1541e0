"""Reading and writing the spreadsheets, maps and summaries provincial offices use.

Provincial offices keep officers and households in Excel, in Thai, and save
CSV files in whatever encoding their Windows machine uses.  This module reads
those files without changing a value (ids such as ``"007"`` stay strings; rows
whose cells are all empty are left out, with a warning; the header row, the
sheet and the delimiter are found) and writes results that open correctly in
Excel: CSV in UTF-8 with a byte-order mark, where text that could run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
gets a leading ``'``, and workbooks whose text cells keep their exact text
(Excel never evaluates a text cell).  Country-sized tables may be read and
written as Parquet instead (with pyarrow, an optional dependency).

Readers and writers raise :class:`~kuseo_match.errors.ValidationError` naming
the file (``file="officers.csv"``) and saying what to do.  Checking the
*content* of the tables is the job of :mod:`kuseo_match.schema`, not of this
module.

Modules
-------
``read`` (``read_csv``, ``read_xlsx``, ``read_parquet``), ``formats``
    Reading: one reader per file format, chosen by suffix.
``sanitise``
    Cells that spreadsheet programs would run as formulas.
``details``
    The input tables' other columns beside the pairs.
``write``, ``write_xlsx``, ``write_geojson``
    Writing: one module per output format.
``folder``
    An output folder that holds one whole run or the one before it; the list of
    every output.

Functions
---------
read_table
    A ``.csv``/``.txt``, ``.xlsx`` or ``.parquet`` file as a DataFrame.
neutralise_formulas
    A copy of a frame that spreadsheet programs will not evaluate.
with_details, with_district_names
    Pair lists with the input tables' other columns, and district names.
write_csv
    A frame as UTF-8-with-BOM CSV.
write_table
    A frame as CSV or Parquet, by the file's suffix.
write_pairs_xlsx
    A :class:`~kuseo_match.result.Result` as a workbook (summary, pairs,
    unmatched, one sheet per district).
write_geojson
    Households, officers and pairs as a GeoJSON map layer.
write_summary_json
    The headline numbers and the policy as JSON.
"""

from .details import with_details, with_district_names
from .folder import OUTPUTS, TABLE_FORMATS, Output, OutputFolder, in_format, outputs_of
from .formats import ID_COLUMNS, PathLike
from .read import read_table
from .sanitise import FORMULA_TRIGGERS, neutralise_formulas
from .write import replace_file, write_csv, write_summary_json, write_table
from .write_geojson import write_geojson
from .write_xlsx import write_pairs_xlsx

__all__ = [
    "FORMULA_TRIGGERS",
    "ID_COLUMNS",
    "OUTPUTS",
    "TABLE_FORMATS",
    "Output",
    "OutputFolder",
    "PathLike",
    "in_format",
    "neutralise_formulas",
    "outputs_of",
    "read_table",
    "replace_file",
    "with_details",
    "with_district_names",
    "write_csv",
    "write_geojson",
    "write_pairs_xlsx",
    "write_summary_json",
    "write_table",
]
