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
# Loopback by default (docs/privacy.md): the web app calls Rasa server-side, and only Rasa calls
# the action server. A reverse proxy on another host needs RASA_HOST=0.0.0.0 (or a private IP).
RASA_HOST="${RASA_HOST:-127.0.0.1}"
ACTION_HOST="${ACTION_HOST:-127.0.0.1}"
case "$ACTION_HOST" in
  0.0.0.0 | "::") action_url_host=127.0.0.1 ;;
  *) action_url_host="$ACTION_HOST" ;;
esac
case "$RASA_HOST" in
  0.0.0.0 | "::" | 127.0.0.1) ;;
  *) export RASA_URL="${RASA_URL:-http://${RASA_HOST}:${RASA_PORT}}" ;;  # the web app's client
esac
# Exact origins allowed to call Rasa from a browser (space- or comma-separated); none by
# default: the browser only talks to the web app. Never "*".
cors_args=()
if [ -n "${RASA_CORS_ORIGINS:-}" ]; then
  read -r -a origins <<< "${RASA_CORS_ORIGINS//,/ }"
  cors_args=(--cors "${origins[@]}")
fi
mkdir -p var

cat > var/endpoints.yml <<YAML
action_endpoint:
  url: "http://${action_url_host}:${ACTION_PORT}/webhook"
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

# rasa-sdk reads its interface from SANIC_HOST only (default 0.0.0.0).
SANIC_HOST="$ACTION_HOST" .venv/bin/rasa run actions --actions actions --port "$ACTION_PORT" --quiet &
pids+=($!)

if [ "${1:-}" = "--shell" ]; then
  .venv/bin/rasa shell --model models --endpoints var/endpoints.yml --quiet
  exit 0
fi

echo "Serveur Rasa : http://${RASA_HOST}:${RASA_PORT}/webhooks/rest/webhook (REST) et Socket.IO sur le même port ; API HTTP fermée."
if [ -n "${TEAMS_APP_ID:-}" ]; then
  echo "Teams : http://localhost:${RASA_PORT}/webhooks/teams/webhook (derrière votre reverse proxy HTTPS)."
else
  echo "Teams : fermé (TEAMS_APP_ID absent, voir docs/teams.md)."
fi
echo "Page de démonstration et assistant : http://localhost:${WEB_PORT}/"
echo "Pour discuter dans le terminal : make shell. Arrêt : Ctrl-C."
# No --enable-api: the HTTP API (model loading, tracker editing) stays off (docs/privacy.md).
.venv/bin/rasa run --model models --endpoints var/endpoints.yml --credentials credentials.yml \
  --interface "$RASA_HOST" --port "$RASA_PORT" ${cors_args[@]+"${cors_args[@]}"} --quiet &
pids+=($!)
.venv/bin/python -m bot.web &
pids+=($!)
wait -n "${pids[@]}"
