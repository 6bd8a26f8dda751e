"""Node's `util.format`, for string arguments: how Hardhat turns console.log arguments into a line.

Hardhat decodes every argument to a string and hands them to `util.format(...args)`, so the
first argument is a printf-like format string: `%s` takes the next argument as it is, `%o` and
`%O` take it as `util.inspect` shows a string (quoted, escaped), `%j` as JSON, `%f` as a
number, `%c` swallows one (CSS, meaningless in a terminal), `%%` is one percent sign while
arguments remain, and anything left over is appended after a space. (`%d` and `%i` never reach
here: Hardhat rewrites them to `%s` first, so a uint256 too large for a double prints whole.)
tests/unit/test_console_log.py compares this with Node's own `util.format`.
"""
from __future__ import annotations

import json
import math
import re

# util.inspect defaults that matter for a string: longer ones are cut with a trailer, and ones
# wider than the line are split after each newline.
_MAX_STRING_LENGTH = 10_000
_BREAK_AT = 128 - 4
_MIN_LINE_WIDTH = 16
_JS_FLOAT = re.compile(r"[+-]?(Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)")
_NAMED_ESCAPES = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 92: "\\\\"}


def node_format(args: list[str]) -> str:
    """`util.format(...args)` for string arguments, as Node 20 computes it."""
    if not args:
        return ""
    first = args[0]
    if len(args) == 1:
        return first
    out: list[str] = []
    used = 0        # index of the last argument consumed by a placeholder
    last = 0        # where the text not yet copied starts
    i = 0
    while i < len(first) - 1:
        if first[i] == "%":
            i += 1
            spec = first[i]
            if used + 1 != len(args):
                if spec == "%":
                    out.append(first[last:i])
                    last = i + 1
                    i += 1
                    continue
                if spec not in "sjOofc":
                    i += 1
                    continue
                used += 1
                text = "" if spec == "c" else _placeholder(spec, args[used])
                out.append(first[last:i - 1])
                out.append(text)
                last = i + 1
            elif spec == "%":
                out.append(first[last:i])
                last = i + 1
        i += 1
    rest: list[str] = args
    if last != 0:
        out.append(first[last:])
        rest = args[used + 1:]
        return " ".join(["".join(out), *rest])
    return " ".join(rest)


def _placeholder(spec: str, value: str) -> str:
    if spec == "s":
        return value
    if spec == "j":
        return json.dumps(value, ensure_ascii=False)
    if spec == "f":
        return js_number(parse_float(value))
    return inspect_string(value)  # %o and %O show a string the same way


def parse_float(text: str) -> float:
    """JavaScript's `parseFloat`: the longest leading decimal literal, else NaN."""
    match = _JS_FLOAT.match(text.lstrip(" \t\n\r\f\v\u00a0\ufeff"))
    if match is None:
        return math.nan
    literal = match.group(0)
    return float(literal.replace("Infinity", "inf"))


def js_number(value: float) -> str:
    """JavaScript's Number → string (shortest round-trip digits, JavaScript's exponent rule)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"  # util.format shows -0 as -0
    sign = "-" if value < 0 else ""
    text = repr(abs(value))  # shortest round-trip digits, which ECMAScript asks for too
    base, _, exp = text.partition("e")
    whole, _, frac = base.partition(".")
    digits = whole + frac
    point = len(whole) + (int(exp) if exp else 0)  # value = 0.<digits> × 10^point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    exponent = n - 1
    body = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{body}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def inspect_string(value: str) -> str:
    """`util.inspect` of a string: quoted (', then " or ` to avoid escaping), escaped, cut at
    10,000 characters, split after newlines when wider than a line."""
    trailer = ""
    if len(value) > _MAX_STRING_LENGTH:
        remaining = len(value) - _MAX_STRING_LENGTH
        value = value[:_MAX_STRING_LENGTH]
        trailer = f"... {remaining} more character{'s' if remaining > 1 else ''}"
    if len(value) > _MIN_LINE_WIDTH and len(value) > _BREAK_AT:
        lines = re.split(r"(?<=\n)", value)
        return " +\n  ".join(_quote(line) for line in lines if line) + trailer
    return _quote(value) + trailer


def _quote(value: str) -> str:
    quote = "'"
    if "'" in value:
        if '"' not in value:
            quote = '"'
        elif "`" not in value and "${" not in value:
            quote = "`"
    out = []
    for ch in value:
        point = ord(ch)
        if ch == quote == "'":
            out.append("\\'")
        elif point in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[point])
        elif point < 32 or 127 <= point < 160:
            out.append(f"\\x{point:02X}")
        else:
            out.append(ch)
    return quote + "".join(out) + quote
