#!/usr/bin/env bash
# Reproduces lopt-faces-v2: `bash models/lopt-faces-v2/train.sh` after `make install`.
# Two stages (one session each, ~75 and ~60 min on 2 cores): 5 epochs from ImageNet
# weights, then 4 more epochs started from stage 1's weights with a fresh, lower one-cycle
# schedule. Resumable: run it again after an interruption and it continues from the
# unfinished stage's last.pt. Both stages use the same seed, data and splits.
set -euo pipefail
DATA=${LOPT_SHARED_DATA:-../shared/data}
STAGE1=${STAGE1:-.cache/train/faces-v2-stage1}
OUTPUT=${OUTPUT:-.cache/train/faces-v2}
COMMON=(--backbone efficientnet-lite1 --image-size 224 --crop-size 256 --video-frames 32
    --group-by-face lfw-faceswap-250 --source-share sqrt --samples-per-epoch 11200
    --batch-size 32 --freeze-stages 2 --threshold-rule 'fpr<=0.03' --workers 1 --seed 0
    --cache-dir .cache/face-crops-256)
mkdir -p "$STAGE1" "$OUTPUT"
.venv/bin/python models/lopt-faces-v2/video_manifest.py "$DATA/videos" > "$OUTPUT/videos.csv"

stage() {  # stage OUTPUT ARGS...: train unless that stage already finished
    local out=$1
    shift
    [ -f "$out/reports/summary.json" ] && return 0
    local resume=()
    [ -f "$out/last.pt" ] && resume=(--resume)
    .venv/bin/lopt train "$DATA/faces" "$OUTPUT/videos.csv" --output "$out" "${COMMON[@]}" \
        "$@" "${resume[@]}"
}
stage "$STAGE1" --epochs 5 --lr 1e-3
stage "$OUTPUT" --epochs 4 --lr 3e-4 --init-from "$STAGE1"
