#!/usr/bin/env bash
# Reproduces lopt-faces-v2: `bash models/lopt-faces-v2/train.sh` after `make install`.
# Resumable: run it again after an interruption and it continues from OUTPUT/last.pt.
set -euo pipefail
DATA=${LOPT_SHARED_DATA:-../shared/data}
OUTPUT=${OUTPUT:-.cache/train/faces-v2}
mkdir -p "$OUTPUT"
.venv/bin/python models/lopt-faces-v2/video_manifest.py "$DATA/videos" > "$OUTPUT/videos.csv"
resume=()
[ -f "$OUTPUT/last.pt" ] && resume=(--resume)
.venv/bin/lopt train "$DATA/faces" "$OUTPUT/videos.csv" --output "$OUTPUT" \
    --backbone efficientnet-lite1 --image-size 224 --crop-size 256 --video-frames 32 \
    --group-by-face lfw-faceswap-250 --source-share sqrt \
    --epochs 5 --samples-per-epoch 11200 --batch-size 32 --lr 1e-3 --freeze-stages 2 \
    --threshold-rule 'fpr<=0.03' --workers 1 --seed 0 --cache-dir .cache/face-crops-256 \
    "${resume[@]}"
