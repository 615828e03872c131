#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6's ceiling): python3.10 on PATH,
# else pyenv's newest 3.10.x. Exit 1 with a message when none is found.
set -euo pipefail
if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  command -v python3.10
  exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root)"
  candidate="$(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -V | tail -1 || true)"
  if [ -n "$candidate" ] && [ -x "$candidate/bin/python" ]; then
    echo "$candidate/bin/python"
    exit 0
  fi
fi
echo "Python 3.10 introuvable : installez python3.10 ou pyenv (pyenv install 3.10)." >&2
exit 1
