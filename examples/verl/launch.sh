#!/usr/bin/env bash
# GRPO on the headline task with Agent Lightning 1.0.2 + VERL, governed by Tractatus.
#
#   AGL_KEY=<secret> bash examples/verl/launch.sh [extra hydra overrides]
#   bash examples/verl/launch.sh --print-overrides     # print the trainer's overrides and exit
#
# Starts, on this machine: AGL's gateway (store + LLM proxy) :8080, the governed proxy :8081 in
# front of it, AGL's local controller (agents = one process per rollout, pointed at the proxy),
# then AGL's VERL trainer with GovernanceHooks. Environment: MODEL (default
# Qwen/Qwen2.5-0.5B-Instruct), GPUS (default 1), TRACTATUS_DATA_DIR (the pool's labels and the
# scorer), TRACTATUS_AUDIT_DB (default runs/verl-headlines/audit.db), AGENTS (default 64).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MODEL="${MODEL:-Qwen/Qwen2.5-0.5B-Instruct}"
GPUS="${GPUS:-1}"
AGENTS="${AGENTS:-64}"
GATEWAY_PORT="${GATEWAY_PORT:-8080}"
PROXY_PORT="${PROXY_PORT:-8081}"

OVERRIDES=(
  "actor_rollout_ref.model.path=${MODEL}"
  "trainer.n_gpus_per_node=${GPUS}"
  "agentlightning.agl_base_url=http://127.0.0.1:${GATEWAY_PORT}"
  "agentlightning.hooks=$(python -c 'import tractatus.integrations.agentlightning.hooks as h; print(h.__file__)')"
)
if [[ "${1:-}" == "--print-overrides" ]]; then
  printf '%s\n' "${OVERRIDES[@]}"
  exit 0
fi

: "${AGL_KEY:?set AGL_KEY to the gateway admin key (the trainer and the proxy use it)}"
export AGL_KEY
export TRACTATUS_AUDIT_DB="${TRACTATUS_AUDIT_DB:-$PWD/runs/verl-headlines/audit.db}"
# The hooks re-score every rollout from the text the model wrote: the agent's own reward never counts.
export TRACTATUS_AL_TASK_REWARD="tractatus.integrations.agentlightning.scoring:default_task_reward"
mkdir -p "$(dirname "$TRACTATUS_AUDIT_DB")"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

python -m agentlightning.server host=127.0.0.1 port="$GATEWAY_PORT" key="$AGL_KEY" \
  default_proxy.model_name="$MODEL" &
pids+=($!)
python "$HERE/serve_proxy.py" --gateway "http://127.0.0.1:$GATEWAY_PORT" --port "$PROXY_PORT" &
pids+=($!)
python -m agentlightning.controller runner_type=local \
  agl_server.url="http://127.0.0.1:$GATEWAY_PORT" agl_server.agent_url="http://127.0.0.1:$PROXY_PORT" \
  agl_server.key="$AGL_KEY" local_runner.maximum_size="$AGENTS" local_runner.poll_interval=1 &
pids+=($!)

python "$HERE/train_headlines.py" "${OVERRIDES[@]}" "$@"
