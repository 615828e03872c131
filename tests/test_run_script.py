"""`scripts/run-all.sh` (make run) keeps the servers off the network by default (docs/privacy.md).

Read, not run: starting Rasa needs a trained model. The shell's own parser checks the syntax.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "run-all.sh"


def test_the_script_parses() -> None:
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


def test_servers_default_to_loopback_with_the_api_off_and_no_wildcard_cors() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    assert 'RASA_HOST="${RASA_HOST:-127.0.0.1}"' in script
    assert 'ACTION_HOST="${ACTION_HOST:-127.0.0.1}"' in script
    assert re.search(r'SANIC_HOST="\$ACTION_HOST" \.venv/bin/rasa run actions', script)
    assert '--interface "$RASA_HOST"' in script
    commands = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))
    assert "--enable-api" not in commands
    assert '--cors "*"' not in commands and "--cors '*'" not in commands
