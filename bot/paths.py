"""Filesystem locations of the repository's data, resolved from this file (not the cwd)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
VAR_DIR = ROOT / "var"
