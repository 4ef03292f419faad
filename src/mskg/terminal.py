"""Graph text on a terminal: shown, never obeyed.

Labels, notes and IRIs come from files anyone may write. Printed raw, an escape sequence in
them (``\\x1b]0;...``, ``\\x1b[2J``) would retitle, clear or recolour the user's terminal, and a
bidirectional override would make text read differently from what it is. Every table and error
line mskg prints goes through :func:`terminal_safe`.
"""

from __future__ import annotations

import re

#: C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional formatting marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``, ``\\u202e``)."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
