"""The public API: every name in ``__all__`` exists, and importing has no side effects."""

import logging
import subprocess
import sys

import kuseo_match as km


def test_every_public_name_exists():
    missing = [name for name in km.__all__ if not hasattr(km, name)]
    assert missing == []


def test_public_names_are_unique():
    assert len(set(km.__all__)) == len(km.__all__)


def test_errors_are_one_family():
    assert issubclass(km.ValidationError, km.KuseoError)
    assert issubclass(km.InfeasibleError, km.KuseoError)
    assert issubclass(km.KuseoError, ValueError)


def _fresh_python(*lines: str) -> None:
    """Run the lines in a fresh interpreter; they must pass quietly and print ok."""
    code = "\n".join([*lines, "print('ok')", ""])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"
    assert done.stderr == ""


def test_import_has_no_side_effects():
    _fresh_python(
        "import logging, sys",
        "handlers = list(logging.getLogger().handlers)",
        "import kuseo_match",
        "assert logging.getLogger().handlers == handlers",
        "assert 'matplotlib.pyplot' not in sys.modules",
    )


def test_the_report_loads_on_first_use():
    _fresh_python(
        "import sys",
        "import kuseo_match as km",
        "assert 'kuseo_match.report' not in sys.modules",
        "assert 'matplotlib.figure' not in sys.modules",
        "from kuseo_match import write_report",
        "from kuseo_match.report import plot_map, write_report as direct",
        "assert write_report is direct and km.plot_map is plot_map",
        "assert {'plot_map', 'write_report'} <= set(dir(km))",
    )


def test_library_logger_has_no_handlers_of_its_own():
    assert logging.getLogger("kuseo_match").handlers == []


def test_version_is_defined_once():
    from importlib.metadata import version

    assert km.__version__ == version("kuseo-match")
