"""Text made safe for a terminal: what a forum post says can never drive the user's terminal.

Posts and comments are third-party text. An escape sequence in a comment (``ESC [2J`` clears
the screen, ``ESC ]0;…BEL`` retitles the window, ``ESC ]8;;url`` plants a hidden link, some
terminals even answer queries into the input line) must reach the screen as nothing, and a
right-to-left override must not reorder what the user reads. The CLI passes every line that
carries map or input text through :func:`terminal_safe`.

Examples
--------
>>> terminal_safe("ok\\x1b[2J\\x1b]0;pwned\\x07 done\\u202e")
'ok done'
>>> terminal_safe("tabs\\tand\\nnewlines stay")
'tabs\\tand\\nnewlines stay'
"""

from __future__ import annotations

import re

# Whole escape sequences first (CSI, OSC / DCS / APC / PM strings, two-byte escapes), so that
# their printable tail ("[31m") does not show; then any remaining C0 / C1 control character
# (tab and newline stay), DEL, and the bidirectional overrides and isolates.
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"                      # CSI ... final byte
    r"|\x9b[0-?]*[ -/]*[@-~]"                        # 8-bit CSI
    r"|[\x1b][\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"                              # other escapes (ESC c, ESC (B, ...)
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` without terminal escape sequences, control characters or bidi overrides."""
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))
