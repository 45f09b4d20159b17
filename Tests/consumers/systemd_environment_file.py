#!/usr/bin/env python3
"""What systemd makes of an `EnvironmentFile=`, two ways, as JSON on stdout.

`read FILE`: an independent reader written from the rules systemd.exec(5)
documents for EnvironmentFile= (systemd 252, Debian 12), not from systemd's
code. A real systemd cannot be asked in the tests: `systemd-run` and
`systemd --user` need systemd as PID 1 ("Trying to run as user instance, but
the system has not been booted with systemd"), and no systemd tool prints
what EnvironmentFile= would load. Where the man page says nothing (text after
a closing quote, a name that is not an environment name, a line that starts
with a blank), this reader refuses the file instead of guessing: djsec must
never write those.

`systemd FILE`: systemd's own parser, as far as it can be reached without a
running systemd. The user environment generator
(30-systemd-environment-d-generator, from the systemd package) reads
environment.d(5) files with the same parser EnvironmentFile= uses, then
expands `$NAME` and `${NAME}` (EnvironmentFile= expands nothing), and prints
each variable shell-quoted. FILE is given to it as the only file of a
private environment.d; the variables the system's own environment.d files
set are left out. Its values holding `$` differ from EnvironmentFile='s by
design: the caller must not compare them. Exit 77 when the generator is not
installed.

Exit 1 with the reason on stderr when FILE breaks a documented rule.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile

GENERATOR = "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
BLANKS = " \t\r"  # "Leading and trailing whitespace (space, tab, carriage return)"
DOUBLE_QUOTE_ESCAPES = '"\\`$'  # "Backslash followed by any of "\`$ will preserve that character"


class Invalid(Exception):
    pass


def check_characters(text: str) -> None:
    """"Valid characters are unicode scalar values other than noncharacters,
    U+0000 NUL, and U+FEFF byte order mark." (Decoding as UTF-8 already
    refused surrogates and bytes that are not UTF-8.)"""
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFEFF or 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE:
            raise Invalid(f"U+{cp:04X} is not a valid character in an environment file")


def read(text: str) -> dict[str, str]:
    check_characters(text)
    out: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        end = text.find("\n", i)
        end = n if end < 0 else end
        line = text[i:end]
        # "Empty lines, lines without an "=" separator, or lines starting with
        # ";" or "#" will be ignored."
        if line == "" or line[0] in ";#" or "=" not in line:
            i = end + 1
            continue
        if line[0] in BLANKS:
            raise Invalid("a line starts with a blank (the man page does not say how that is read)")
        name = line.split("=", 1)[0]
        if not NAME.fullmatch(name):
            raise Invalid(f"{name!r} is not an environment variable name")
        i += len(name) + 1
        value, i = read_value(text, i)
        out[name] = value  # a later assignment overrides an earlier one
    return out


def read_value(text: str, i: int) -> tuple[str, int]:
    """The value that starts at text[i] (after "="); returns it and the index
    after the newline that ends it."""
    n = len(text)
    while i < n and text[i] in BLANKS:  # leading whitespace is discarded
        i += 1
    if i < n and text[i] == "'":
        # "can span multiple lines and contain any character verbatim other
        # than single quote ... No backslash-escape sequences are recognized."
        close = text.find("'", i + 1)
        if close < 0:
            raise Invalid("a single-quoted value is not closed")
        return text[i + 1 : close], after_quote(text, close + 1)
    if i < n and text[i] == '"':
        value, i = [], i + 1
        while True:
            if i >= n:
                raise Invalid("a double-quoted value is not closed")
            ch = text[i]
            if ch == '"':
                return "".join(value), after_quote(text, i + 1)
            if ch == "\\" and i + 1 < n:
                nxt = text[i + 1]
                if nxt in DOUBLE_QUOTE_ESCAPES:
                    value.append(nxt)  # preserves that character
                elif nxt != "\n":  # backslash-newline: a continuation, both dropped
                    value.append(ch + nxt)  # "both ... preserved verbatim"
                i += 2
                continue
            value.append(ch)
            i += 1
    # Unquoted: "the same backslash-escape rules as unquoted text in a POSIX
    # shell": a backslash keeps the next character, backslash-newline
    # continues the line; quotes inside are kept; trailing blanks dropped
    # (an escaped one is a kept character, not a trailing blank).
    value, kept = [], 0
    while i < n and text[i] != "\n":
        if text[i] == "\\" and i + 1 < n:
            if text[i + 1] != "\n":
                value.append(text[i + 1])
                kept = len(value)
            i += 2
            continue
        value.append(text[i])
        if text[i] not in BLANKS:
            kept = len(value)
        i += 1
    return "".join(value[:kept]), i + 1


def after_quote(text: str, i: int) -> int:
    """After a closing quote only trailing whitespace may follow on the line."""
    n = len(text)
    while i < n and text[i] in BLANKS:
        i += 1
    if i < n and text[i] != "\n":
        raise Invalid("text after a closing quote (the man page does not say how that is read)")
    return i + 1


def unquote_generator_value(word: str) -> str:
    """Undo the generator's shell quoting: a bare word, or "..." with
    backslash escapes (\\\\ \\" \\` \\$, C escapes such as \\n, octal \\NNN)."""
    if not word.startswith('"'):
        return word
    if not word.endswith('"') or len(word) < 2:
        raise Invalid("the generator printed an unbalanced quote")
    body, out, i = word[1:-1], bytearray(), 0
    simple = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11}
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode()
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt in "01234567":
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        elif nxt == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        else:
            out += nxt.encode()
            i += 2
    return out.decode("utf-8")


def generator(path: str | None) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as config:
        folder = os.path.join(config, "environment.d")
        os.mkdir(folder)
        if path is not None:
            with open(path, "rb") as src, open(os.path.join(folder, "50-djsec.conf"), "wb") as dst:
                dst.write(src.read())
        run = subprocess.run(
            [GENERATOR],
            env={"XDG_CONFIG_HOME": config, "HOME": config, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            check=True,
        )
    out = {}
    for line in run.stdout.decode("utf-8").split("\n"):
        if line:
            name, _, word = line.partition("=")
            out[name] = unquote_generator_value(word)
    return out


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("read", "systemd"):
        print("usage: systemd_environment_file.py read|systemd FILE", file=sys.stderr)
        return 2
    mode, path = sys.argv[1], sys.argv[2]
    try:
        if mode == "read":
            with open(path, encoding="utf-8", newline="") as f:
                result = read(f.read())
        else:
            if not os.access(GENERATOR, os.X_OK):
                print(f"{GENERATOR} is not installed (apt-get install systemd)", file=sys.stderr)
                return 77
            system = generator(None)
            result = {k: v for k, v in generator(path).items() if system.get(k) != v}
    except (Invalid, UnicodeDecodeError) as error:
        print(f"invalid environment file: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
