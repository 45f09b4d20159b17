"""Credential families planted in the generated history: one module per
provider group (`NN_group.py`, loaded in name order), each with a `cases()`
that returns Case values drawn fresh at run time, in the provider's documented
format. A case with `secret=None` is a decoy: its text must not be reported.
Nothing credential-like is written in these files: prefixes and alphabets only.
"""
import importlib, os
from collections import namedtuple

Case = namedtuple("Case", "kind path text secret shape", defaults=("plain",))

def decoy(kind, path, text):
    return Case(kind, path, text, None, "decoy")

def all_cases():
    here = os.path.dirname(os.path.abspath(__file__))
    out = []
    for name in sorted(f[:-3] for f in os.listdir(here) if f[:2].isdigit() and f.endswith(".py")):
        out.extend(importlib.import_module(f"families.{name}").cases())
    return out
