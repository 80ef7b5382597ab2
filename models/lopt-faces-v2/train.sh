#!/usr/bin/env bash
# Reproduces lopt-faces-v2: `bash models/lopt-faces-v2/train.sh` after `make install`.
# Six stages (one session each on 2 cores): 5 epochs from ImageNet weights; 4 more from
# stage 1's weights with a fresh, lower one-cycle schedule; then 2 more from stage 2's
# weights with every file pinned to stage 2's split (so no validation or test file of the
# earlier stages is ever trained on), the sources balanced within their family (FF++
# methods share the FF++ fake half) and more draws of the GAN and FF++ sources; then 3
# more from stage 3's weights on the same pinned split, the GAN source drawn 3 times; then
# 2 more from stage 4's weights with the GAN source drawn 5 times, kept as the mix of
# stage 4's and its weights that validates best (--interpolate; here half of each); then
# 2 more from stage 5's weights with every degradation half as likely (--degrade 0.5),
# shipped as the best mix with stage 5's weights (here a quarter of the fine-tune).
# Resumable: run it again after an interruption and it continues from the unfinished
# stage's last.pt. All stages use the same seed.
set -euo pipefail
DATA=${LOPT_SHARED_DATA:-../shared/data}
STAGE1=${STAGE1:-.cache/train/faces-v2-stage1}
STAGE2=${STAGE2:-.cache/train/faces-v2-stage2}
STAGE3=${STAGE3:-.cache/train/faces-v2-stage3}
STAGE4=${STAGE4:-.cache/train/faces-v2-stage4}
STAGE5=${STAGE5:-.cache/train/faces-v2-stage5}
OUTPUT=${OUTPUT:-.cache/train/faces-v2}
CARD=models/lopt-faces-v2
COMMON=(--backbone efficientnet-lite1 --image-size 224 --crop-size 256 --video-frames 32
    --source-share sqrt --samples-per-epoch 11200 --batch-size 32 --freeze-stages 2
    --threshold-rule 'fpr<=0.03' --workers 1 --seed 0 --cache-dir .cache/face-crops-256)
mkdir -p "$STAGE1" "$STAGE2" "$STAGE3" "$STAGE4" "$STAGE5" "$OUTPUT"
.venv/bin/python "$CARD/video_manifest.py" "$DATA/videos" > "$OUTPUT/videos.csv"

stage() {  # stage OUTPUT DATA... -- ARGS...: train unless that stage already finished
    local out=$1 data=()
    shift
    while [ "$1" != -- ]; do data+=("$1"); shift; done
    shift
    [ -f "$out/reports/summary.json" ] && return 0
    local resume=()
    [ -f "$out/last.pt" ] && resume=(--resume)
    .venv/bin/lopt train "${data[@]}" --output "$out" "${COMMON[@]}" "$@" "${resume[@]}"
}
stage "$STAGE1" "$DATA/faces" "$OUTPUT/videos.csv" -- \
    --group-by-face lfw-faceswap-250 --epochs 5 --lr 1e-3
stage "$STAGE2" "$DATA/faces" "$OUTPUT/videos.csv" -- \
    --group-by-face lfw-faceswap-250 --epochs 4 --lr 3e-4 --init-from "$STAGE1"
.venv/bin/python "$CARD/pinned_manifest.py" "$DATA" "$OUTPUT/videos.csv" "$STAGE2/splits" \
    "$OUTPUT/pinned.csv"
stage "$STAGE3" "$OUTPUT/pinned.csv" -- --epochs 2 --lr 2e-4 --init-from "$STAGE2" \
    --source-weight ffhq-tpdne-128=2 --source-weight ffpp-c40=3
stage "$STAGE4" "$OUTPUT/pinned.csv" -- --epochs 3 --lr 1.5e-4 --init-from "$STAGE3" \
    --source-weight ffhq-tpdne-128=3 --source-weight ffpp-c40=3
stage "$STAGE5" "$OUTPUT/pinned.csv" -- --epochs 2 --lr 1e-4 --init-from "$STAGE4" \
    --source-weight ffhq-tpdne-128=5 --source-weight ffpp-c40=3 --interpolate 0,0.25,0.5,0.75
stage "$OUTPUT" "$OUTPUT/pinned.csv" -- --epochs 2 --lr 1e-4 --init-from "$STAGE5" \
    --source-weight ffhq-tpdne-128=5 --source-weight ffpp-c40=3 --degrade 0.5 \
    --interpolate 0,0.25,0.5,0.75
