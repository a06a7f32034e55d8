"""Evidence as a reader sees it: typed values (numbers, errors, dicts of them) formatted for the ledger.

Probes and lessons hand the ``evidence`` fixture data, never sentences: a float, a shape, an error as
``{"error": "ValueError", "message": "..."}``, a dict of such values.  Only here do they become text, so a
claim asserts on the numbers and the ledger shows them the same way everywhere.
"""

from __future__ import annotations

LIMIT = 400


def format_value(value) -> str:
    """One evidence value as ledger text: floats to 6 significant digits, errors as "Class: message"."""
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "none"}[value]
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        if "error" in value and "message" in value:
            return f"{value['error']}: {value['message']}"
        if value == {"ran": True}:
            return "ran"
        return ", ".join(f"{key}: {format_value(item)}" for key, item in value.items() if item is not None)
    if isinstance(value, list | tuple) and any(isinstance(item, dict | float) for item in value):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    return str(value)


def short(value, limit: int = LIMIT) -> str:
    """``format_value`` on one line, cut at ``limit`` characters."""
    text = " ".join(format_value(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
