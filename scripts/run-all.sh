#!/usr/bin/env bash
# Start the action server, the Rasa server and the web app in the foreground; Ctrl-C stops all.
# `--shell` chats in the terminal instead of serving the channels.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PYTHONPATH="$PWD" TF_CPP_MIN_LOG_LEVEL=2
ACTION_PORT="${ACTION_PORT:-5055}"
RASA_PORT="${RASA_PORT:-5005}"
WEB_PORT="${WEB_PORT:-8000}"
export RASA_PORT WEB_PORT
mkdir -p var

cat > var/endpoints.yml <<YAML
action_endpoint:
  url: "http://localhost:${ACTION_PORT}/webhook"
tracker_store:
  type: SQL
  dialect: "sqlite"
  db: "${TRACKER_DB:-var/tracker.db}"
lock_store:
  type: in_memory
YAML

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

.venv/bin/rasa run actions --actions actions --port "$ACTION_PORT" --quiet &
pids+=($!)

if [ "${1:-}" = "--shell" ]; then
  .venv/bin/rasa shell --model models --endpoints var/endpoints.yml --quiet
  exit 0
fi

echo "Serveur Rasa : http://localhost:${RASA_PORT}/webhooks/rest/webhook (REST) et Socket.IO sur le même port."
echo "Page de démonstration et assistant : http://localhost:${WEB_PORT}/"
echo "Pour discuter dans le terminal : make shell. Arrêt : Ctrl-C."
.venv/bin/rasa run --model models --endpoints var/endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" --cors "*" --quiet &
pids+=($!)
.venv/bin/python -m bot.web &
pids+=($!)
wait -n "${pids[@]}"
