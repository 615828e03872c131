"""Speed and footprint figures: training time, model load time, server memory, reply latency,
and booking throughput (scripts/bench_booking.py). Prints the figures; copy them into
docs/benchmarks.md. Run with `make bench` (needs the pinned .venv; trains into a temp dir).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}

from tests.conversation import free_port  # noqa: E402


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def wait_http(url: str, timeout: float = 300) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return time.monotonic() - start
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"{url} ne répond pas")


def post(url: str, payload: dict[str, str]) -> list[dict[str, object]]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def bench_training(out: Path) -> float:
    start = time.monotonic()
    subprocess.run(
        [str(VENV_BIN / "rasa"), "train", "--domain", "domain", "--data", "data", "--config",
         "config.yml", "--out", str(out), "--force", "--augmentation", "0", "--quiet"],
        cwd=ROOT, env={**ENV, "RASA_CACHE_DIRECTORY": str(out / "cache")}, check=True,
    )  # fmt: skip
    return time.monotonic() - start


def bench_load(model_dir: Path) -> float:
    from rasa.core.agent import Agent
    from rasa.model import get_latest_model

    start = time.monotonic()
    Agent.load(get_latest_model(str(model_dir)))
    return time.monotonic() - start


def bench_servers(model_dir: Path, db_url: str) -> dict[str, float]:
    action_port, rasa_port = free_port(), free_port()
    endpoints = model_dir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://localhost:{action_port}/webhook"\n')
    env = {**ENV, "DATABASE_URL": db_url}
    actions = subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions",
         "--port", str(action_port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", "--model", str(model_dir), "--endpoints", str(endpoints),
         "--credentials", "credentials.yml", "--port", str(rasa_port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        start_actions = wait_http(f"http://127.0.0.1:{action_port}/health")
        start_rasa = wait_http(f"http://127.0.0.1:{rasa_port}/")  # "Hello from Rasa"
        url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        messages = [
            "Bonjour",
            "je suis acheteuse dans une commune, marché de restauration scolaire",
            "c'est quoi un guichet vert ?",
            "je cherche un facilitateur en Gironde",
            "merci, au revoir",
        ]
        latencies = []
        for round_ in range(10):
            for message in messages:
                t0 = time.monotonic()
                post(url, {"sender": f"bench-{round_}", "message": message})
                latencies.append((time.monotonic() - t0) * 1000)
        return {
            "action_server_start_s": start_actions,
            "rasa_server_ready_s": start_rasa,
            "action_server_rss_mib": rss_mib(actions.pid),
            "rasa_server_rss_mib": rss_mib(server.pid),
            "reply_p50_ms": statistics.median(latencies),
            "reply_p95_ms": statistics.quantiles(latencies, n=20)[18],
        }
    finally:
        for process in (actions, server):
            process.terminate()
            process.wait(timeout=30)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        figures: dict[str, float] = {"training_s": bench_training(work)}
        figures["model_load_s"] = bench_load(work)
        subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            cwd=ROOT, env={**ENV, "DATABASE_URL": f"sqlite:///{work / 'bench.db'}"}, check=True,
        )  # fmt: skip
        figures.update(bench_servers(work, f"sqlite:///{work / 'bench.db'}"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| mesure | valeur |")
    print("|---|---|")
    labels = {
        "training_s": "Entraînement complet (s)",
        "model_load_s": "Chargement du modèle (s)",
        "action_server_start_s": "Démarrage du serveur d'actions (s)",
        "rasa_server_ready_s": "Serveur Rasa prêt (s)",
        "action_server_rss_mib": "Mémoire résidente, serveur d'actions (Mio)",
        "rasa_server_rss_mib": "Mémoire résidente, serveur Rasa (Mio)",
        "reply_p50_ms": "Réponse REST, médiane (ms)",
        "reply_p95_ms": "Réponse REST, 95e centile (ms)",
    }
    for key, value in figures.items():
        print(f"| {labels[key]} | {value:.1f} |")
    booking = ROOT / "scripts" / "bench_booking.py"
    if booking.exists():
        subprocess.run([sys.executable, str(booking)], cwd=ROOT, env=ENV, check=True)
    return 0


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    sys.exit(main())
