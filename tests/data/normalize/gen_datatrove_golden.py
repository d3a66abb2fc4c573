#!/usr/bin/env python3
"""Writes datatrove_golden.jsonl: the real datatrove `simplify_text` (default
TextNormConfig) over golden_inputs.inputs().

    python3 -m venv /tmp/dtenv && /tmp/dtenv/bin/pip install datatrove regex
    /tmp/dtenv/bin/python tests/data/normalize/gen_datatrove_golden.py
"""
import importlib.metadata
import sys

from datatrove.utils.text import simplify_text

import golden_inputs

version = importlib.metadata.version("datatrove")
source = f"datatrove {version} simplify_text, Python {sys.version.split()[0]}"
golden_inputs.write_golden(golden_inputs.HERE / "datatrove_golden.jsonl", simplify_text, source)
