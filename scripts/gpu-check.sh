#!/usr/bin/env bash
# The GPU check: what calt does on a GPU through WGPU (Vulkan), in one script that needs no
# build tools, no network and no Python on the GPU machine.
#
#   bash scripts/gpu-check.sh --build    # here: a stripped release `calt` in .gpu-check/calt
#   bash scripts/gpu-check.sh            # on the GPU machine, from the repository root
#
# It prints the adapter (nvidia-smi / vulkaninfo where present), then `calt bench` on WGPU for
# configs/gf17_addition/train.yaml and for benches/gpu/full_size.yaml (6+6 layers, d_model 512,
# ffn 2048, batch 64): training samples/s and tokens/s, the share of the GPU's FP32 peak the
# measured matrix arithmetic reaches, and the time to generate the 1000 gf17 test answers.
# With two or more GPUs it also trains the same updates on one GPU and on two (`--devices`)
# and checks that the logged losses agree.
# Every step runs under a timeout; without a Vulkan driver it stops at the probe with one line.
#
# Environment: CALT (the binary; default .gpu-check/calt, then the release build),
# PEAK_FP32_TFLOPS (the GPU's FP32 peak when the table below does not know its name),
# GPU_CHECK_STEPS (timed training steps per variant, default 30).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--build" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/calt-target}"
  cargo build --release --workspace -q
  mkdir -p .gpu-check
  cp "$CARGO_TARGET_DIR/release/calt" .gpu-check/calt
  strip .gpu-check/calt
  echo "gpu-check: $(du -h .gpu-check/calt | cut -f1) .gpu-check/calt (carry it with the run)"
  exit 0
fi

calt="${CALT:-}"
if [ -z "$calt" ]; then
  for candidate in .gpu-check/calt "${CARGO_TARGET_DIR:-$HOME/.cache/calt-target}/release/calt"; do
    if [ -x "$candidate" ]; then calt="$candidate"; break; fi
  done
fi
if [ -z "$calt" ] || [ ! -x "$calt" ]; then
  echo "gpu-check: FAIL: no calt binary; build one with: bash scripts/gpu-check.sh --build" >&2
  exit 2
fi
steps="${GPU_CHECK_STEPS:-30}"
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

echo "== gpu-check $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), calt $("$calt" --version 2>/dev/null || echo '?')"
gpu_name=""
if command -v nvidia-smi >/dev/null; then
  timeout 30 nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  gpu_name=$(timeout 30 nvidia-smi --query-gpu=name --format=csv,noheader | head -n1 || true)
  gpu_count=$(timeout 30 nvidia-smi --query-gpu=name --format=csv,noheader | wc -l || echo 0)
  echo "GPUs: $gpu_count"
else
  echo "nvidia-smi: not present"
fi
if command -v vulkaninfo >/dev/null; then
  timeout 30 vulkaninfo --summary 2>/dev/null | grep -E "deviceName|driverName|apiVersion" || true
else
  echo "vulkaninfo: not present; Vulkan drivers registered: $(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | tr '\n' ' ')"
fi

# FP32 peak (non-tensor-core) in TFLOP/s by GPU name, from the vendors' data sheets.
peak="${PEAK_FP32_TFLOPS:-}"
if [ -z "$peak" ]; then
  case "$gpu_name" in
    *H200*|*H100*SXM*|*"H100 80GB HBM3"*) peak=67 ;;
    *H100*PCIe*|*H100*) peak=51 ;;
    *A100*) peak=19.5 ;;
    *L40S*) peak=91.6 ;;
    *L4*) peak=30.3 ;;
    *A10G*) peak=31.2 ;;
    *A10*) peak=31.2 ;;
    *T4*) peak=8.1 ;;
    *V100*) peak=15.7 ;;
    *"RTX 4090"*) peak=82.6 ;;
    *"RTX 3090"*) peak=35.6 ;;
  esac
fi

# The gf17 data (configs/*/data is not in git): generated here in seconds.
if [ ! -f configs/gf17_addition/data/test_raw.txt ]; then
  timeout 120 "$calt" generate --config configs/gf17_addition/data.yaml --quiet
fi

echo "== probe: one training step and a few answers on WGPU"
if ! timeout 180 "$calt" bench --config configs/gf17_addition/train.yaml --device wgpu \
    --steps 1 --warmup 0 --gen-samples 8 --no-baseline >"$log/probe" 2>&1; then
  echo "gpu-check: FAIL: no usable WGPU (Vulkan) adapter: $(grep -v '^$' "$log/probe" | tail -n1)" >&2
  exit 2
fi
grep "^==" "$log/probe" || true

bench() { # name config gen_samples timeout
  echo "== calt bench $1 on WGPU ($2)"
  if ! timeout "$4" "$calt" bench --config "$2" --device wgpu --steps "$steps" --warmup 3 \
      --gen-samples "$3" --no-baseline >"$log/$1" 2>&1; then
    echo "gpu-check: FAIL: calt bench $1 (exit or timeout after $4 s):" >&2
    tail -n 5 "$log/$1" >&2
    return 1
  fi
  cat "$log/$1"
  # Achieved matrix arithmetic of the length-bucketed run against the FP32 peak.
  awk -v peak="$peak" '
    /^train \(length-bucketed\)/ { sps = $3 }
    /^train arithmetic:/ { mflop = $3 }
    END {
      if (sps && mflop) {
        tflops = sps * mflop / 1e6
        printf "achieved: %.2f TFLOP/s of matrix products in training", tflops
        if (peak) printf " = %.1f%% of the FP32 peak (%s TFLOP/s)", 100 * tflops / peak, peak
        printf "\n"
      }
    }' "$log/$1"
}

# Data parallelism (`--devices`): the same 32 updates of 64 samples on one GPU and divided
# among two must log the same losses.
ddp_check() {
  echo "== data parallelism: one GPU against two (benches/gpu/ddp_*.yaml)"
  for run in one_gpu two_gpus; do
    rm -rf "benches/gpu/results-ddp-${run//_/-}"
    # The two-GPU config names its devices (train.devices); the other one is told its device.
    placement=(--device wgpu)
    [ "$run" = one_gpu ] || placement=()
    if ! timeout 300 "$calt" train --config "benches/gpu/ddp_$run.yaml" "${placement[@]}" \
        >"$log/ddp_$run" 2>&1; then
      echo "gpu-check: FAIL: calt train benches/gpu/ddp_$run.yaml:" >&2
      tail -n 5 "$log/ddp_$run" >&2
      return 1
    fi
    grep -E "^(device|training|generation_accuracy)" "$log/ddp_$run" || true
    sed -n 's/.*"loss":\([-0-9.e]*\).*/\1/p' "benches/gpu/results-ddp-${run//_/-}/metrics.jsonl" \
      >"$log/losses_$run"
  done
  echo "== calt bench on two GPUs (benches/gpu/full_size.yaml)"
  if timeout 300 "$calt" bench --config benches/gpu/full_size.yaml --device wgpu \
      --devices wgpu:0,wgpu:1 --steps "$steps" --warmup 3 --gen-samples 8 --no-baseline \
      >"$log/bench_two_gpus" 2>&1; then
    sed -n '/^== data parallel/,$p' "$log/bench_two_gpus" | grep -v "^peak memory" || true
  else
    echo "gpu-check: FAIL: calt bench --devices wgpu:0,wgpu:1:" >&2
    tail -n 5 "$log/bench_two_gpus" >&2
    return 1
  fi
  paste "$log/losses_one_gpu" "$log/losses_two_gpus" | awk '
    { n++; d = $1 - $2; if (d < 0) d = -d; r = d / ($1 > 1e-3 ? $1 : 1e-3); if (r > worst) worst = r }
    END {
      printf "logged losses: %d pairs, largest relative difference %.2e\n", n, worst
      if (n < 4 || worst > 1e-3) { print "gpu-check: FAIL: two GPUs did not train as one" > "/dev/stderr"; exit 1 }
    }'
}

status=0
bench gf17 configs/gf17_addition/train.yaml 1000 240 || status=1
bench full_size benches/gpu/full_size.yaml 256 300 || status=1
if [ "${gpu_count:-0}" -ge 2 ]; then
  ddp_check || status=1
else
  echo "== data parallelism: skipped (${gpu_count:-0} GPU(s) seen by nvidia-smi; it needs two)"
fi
exit $status
