"""The EfficientNet-Lite backbones: weight mapping, ImageNet sanity, HF checkpoint round trip."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.cbook
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from timm.data import ImageNetInfo
from transformers import AutoImageProcessor, AutoModelForImageClassification

from lopt.training.backbone import (
    STAGE_COUNT,
    VARIANTS,
    build_efficientnet_lite_classifier,
    build_image_processor,
    freeze_stages,
    imagenet_weights_path,
    load_imagenet_model,
    map_state_dict,
    save_checkpoint,
)
from tests.helpers import shared_data

MEDIA = shared_data() / "media"
needs_media = pytest.mark.skipif(not MEDIA.is_dir(), reason=f"shared data not found at {MEDIA}")

LABELS = {0: "Real", 1: "Fake"}
# EfficientNet-Lite's seven stages (published architecture): the first block of each
# strides by this much; a stage starts where a block's output width changes.
STAGE_STRIDES = [1, 2, 2, 2, 1, 2, 1]
# Tensors in each package's .pth, less batch-norm counters (Lite0: 16 blocks; Lite1 and
# Lite2 repeat middle stages more often).
WEIGHT_COUNTS = {"efficientnet-lite0": 247, "efficientnet-lite1": 322, "efficientnet-lite2": 322}


def block_strides(sd: dict[str, torch.Tensor]) -> list[int]:
    """Stride of each lukemelas ``_blocks.N``, from the published stage layout."""
    strides, stage, width = [], -1, None
    for i in range(len({k.split(".")[1] for k in sd if k.startswith("_blocks.")})):
        out = sd[f"_blocks.{i}._project_conv.weight"].shape[0]
        if out != width:
            stage, width = stage + 1, out
            strides.append(STAGE_STRIDES[stage])
        else:
            strides.append(1)
    assert stage == len(STAGE_STRIDES) - 1
    return strides


def _conv_same(x: torch.Tensor, weight: torch.Tensor, stride: int, groups: int = 1):
    """TensorFlow "SAME" convolution: pad so the output is ceil(input / stride)."""
    k = weight.shape[-1]
    pads = []
    for size in (x.shape[-1], x.shape[-2]):
        total = max((math.ceil(size / stride) - 1) * stride + k - size, 0)
        pads += [total // 2, total - total // 2]
    return F.conv2d(F.pad(x, pads), weight, stride=stride, groups=groups)


def _bn(x: torch.Tensor, sd: dict[str, torch.Tensor], prefix: str) -> torch.Tensor:
    return F.batch_norm(
        x,
        sd[f"{prefix}.running_mean"],
        sd[f"{prefix}.running_var"],
        sd[f"{prefix}.weight"],
        sd[f"{prefix}.bias"],
        training=False,
        eps=1e-3,  # TF's batch_norm_epsilon for EfficientNet-Lite
    )


def reference_forward(sd: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """EfficientNet-Lite as published (ReLU6, no squeeze-excite), on the original keys."""
    x = F.relu6(_bn(_conv_same(x, sd["_conv_stem.weight"], 2), sd, "_bn0"))
    for i, stride in enumerate(block_strides(sd)):
        p = f"_blocks.{i}"
        inputs = x
        if f"{p}._expand_conv.weight" in sd:
            x = F.relu6(_bn(F.conv2d(x, sd[f"{p}._expand_conv.weight"]), sd, f"{p}._bn0"))
        dw = sd[f"{p}._depthwise_conv.weight"]
        x = F.relu6(_bn(_conv_same(x, dw, stride, groups=dw.shape[0]), sd, f"{p}._bn1"))
        x = _bn(F.conv2d(x, sd[f"{p}._project_conv.weight"]), sd, f"{p}._bn2")
        if stride == 1 and x.shape == inputs.shape:
            x = x + inputs
    x = F.relu6(_bn(F.conv2d(x, sd["_conv_head.weight"]), sd, "_bn1"))
    return F.linear(x.mean(dim=(2, 3)), sd["_fc.weight"], sd["_fc.bias"])


def _to_input(path: Path, size: int = 224) -> torch.Tensor:
    image = Image.open(path).convert("RGB").resize((size, size), Image.Resampling.BICUBIC)
    pixels = torch.from_numpy(np.array(image)).permute(2, 0, 1).float() / 255.0
    return ((pixels - 0.5) / 0.5).unsqueeze(0)


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def original_state_dict(variant: str) -> dict[str, torch.Tensor]:
    return torch.load(imagenet_weights_path(variant), map_location="cpu", weights_only=True)


@pytest.fixture(scope="module")
def imagenet_model(variant: str) -> torch.nn.Module:
    return load_imagenet_model(variant)


@pytest.fixture(scope="module")
def classifier(variant: str):
    return build_efficientnet_lite_classifier(LABELS, image_size=160, backbone=variant).eval()


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_builds_a_classifier_with_its_own_weights(name):
    model = build_efficientnet_lite_classifier(LABELS, image_size=96, backbone=name)
    reference = load_imagenet_model(name).state_dict()
    assert model.config.architecture == VARIANTS[name].architecture
    assert torch.equal(model.timm_model.conv_head.weight, reference["conv_head.weight"])
    with pytest.raises(ValueError, match="unknown backbone"):
        build_efficientnet_lite_classifier(LABELS, backbone="efficientnet-lite9")


def test_mapping_covers_every_weight_in_order(variant, original_state_dict, imagenet_model):
    mapped = map_state_dict(original_state_dict, imagenet_model.state_dict())
    assert mapped.keys() == imagenet_model.state_dict().keys()
    weights = [k for k in original_state_dict if not k.endswith("num_batches_tracked")]
    assert len(weights) == WEIGHT_COUNTS[variant]
    assert torch.equal(mapped["conv_stem.weight"], original_state_dict["_conv_stem.weight"])
    assert torch.equal(mapped["classifier.bias"], original_state_dict["_fc.bias"])


def test_mapping_rejects_a_shape_mismatch(original_state_dict, imagenet_model):
    target = dict(imagenet_model.state_dict())
    target["conv_head.weight"] = torch.zeros(1280, 1, 1, 1)
    with pytest.raises(ValueError, match="does not fit"):
        map_state_dict(original_state_dict, target)


@pytest.mark.parametrize("size", [224, 161])
def test_mapped_model_matches_reference_on_noise(original_state_dict, imagenet_model, size):
    # An odd size exercises TF's asymmetric "same" padding on the stride-2 layers.
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ours, ref = imagenet_model(x), reference_forward(original_state_dict, x)
    torch.testing.assert_close(ours, ref, rtol=1e-4, atol=1e-4)


@needs_media
def test_mapped_model_matches_reference_on_real_photos(original_state_dict, imagenet_model):
    names = ["skimage_astronaut.png", "facenet_paul_rudd.jpg", "blazeface_1face.png"]
    x = torch.cat([_to_input(MEDIA / name) for name in names])
    with torch.no_grad():
        ours, ref = imagenet_model(x), reference_forward(original_state_dict, x)
    torch.testing.assert_close(ours, ref, rtol=1e-4, atol=1e-4)
    assert torch.equal(ours.argmax(1), ref.argmax(1))
    # A portrait in a suit reads as clothing, not as noise.
    top5 = {ImageNetInfo().index_to_description(i) for i in ours[1].topk(5).indices.tolist()}
    assert top5 & {"bow tie, bow-tie, bowtie", "suit, suit of clothes", "Windsor tie"}


def test_imagenet_top1_is_sensible(imagenet_model):
    # matplotlib's sample photo of Grace Hopper in uniform, the classic ImageNet check.
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
        path = Path(f.name)
    with torch.no_grad():
        probs = imagenet_model(_to_input(path)).softmax(1)[0]
    top1 = int(probs.argmax())
    assert ImageNetInfo().index_to_description(top1) == "military uniform"
    assert probs[top1] > 0.3


def test_classifier_keeps_imagenet_backbone(classifier, imagenet_model):
    ours = classifier.timm_model.state_dict()
    for key, value in imagenet_model.state_dict().items():
        if not key.startswith("classifier."):
            assert torch.equal(ours[key], value), key
    assert classifier.timm_model.classifier.out_features == 2
    assert classifier.config.id2label == LABELS


def test_checkpoint_round_trip_offline(classifier, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    folder = save_checkpoint(classifier, tmp_path / "ckpt")
    size_mb = (folder / "model.safetensors").stat().st_size / 1e6
    assert 13 < size_mb < 30  # the embedded detector's budget
    model = AutoModelForImageClassification.from_pretrained(folder).eval()
    processor = AutoImageProcessor.from_pretrained(folder)
    assert model.config.id2label == LABELS
    assert model.config.label2id == {"Real": 0, "Fake": 1}

    rng = np.random.default_rng(0)
    images = [Image.fromarray(rng.integers(0, 256, (200, 180, 3), dtype=np.uint8))]
    ours = build_image_processor(classifier)(images)["pixel_values"]
    loaded = processor(images)["pixel_values"]
    assert loaded.shape == (1, 3, 160, 160)
    assert torch.equal(ours, loaded)
    assert float(loaded.min()) >= -1.0 and float(loaded.max()) <= 1.0
    with torch.no_grad():
        assert torch.equal(classifier(ours).logits, model(loaded).logits)


def test_label_map_must_number_from_zero():
    with pytest.raises(ValueError, match=r"0\.\.n-1"):
        build_efficientnet_lite_classifier({1: "Real", 2: "Fake"}, pretrained=False)


def test_freeze_stages_stops_updates_only_in_frozen_stages():
    model = build_efficientnet_lite_classifier(LABELS, image_size=64, pretrained=False)
    frozen = freeze_stages(model, 2)  # stem and blocks[0]
    net = model.timm_model
    assert frozen == sum(
        p.numel() for m in (net.conv_stem, net.bn1, net.blocks[0]) for p in m.parameters()
    )
    before = {k: v.clone() for k, v in net.state_dict().items()}
    model.train()
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    x = torch.randn(4, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    model(x, labels=torch.tensor([0, 1, 0, 1])).loss.backward()
    optimizer.step()
    after = net.state_dict()
    assert torch.equal(after["conv_stem.weight"], before["conv_stem.weight"])
    assert torch.equal(after["bn1.running_mean"], before["bn1.running_mean"])
    assert torch.equal(after["blocks.0.0.conv_dw.weight"], before["blocks.0.0.conv_dw.weight"])
    assert not torch.equal(after["blocks.1.0.conv_pw.weight"], before["blocks.1.0.conv_pw.weight"])
    assert not torch.equal(
        after["blocks.1.0.bn1.running_mean"], before["blocks.1.0.bn1.running_mean"]
    )
    assert not torch.equal(after["classifier.weight"], before["classifier.weight"])

    freeze_stages(model, 0)
    assert all(p.requires_grad for p in model.parameters())
    assert net.bn1.momentum == 0.1
    with pytest.raises(ValueError):
        freeze_stages(model, STAGE_COUNT + 1)
