from __future__ import annotations

from pathlib import Path

import pytest

from lopt.config import Settings, SettingsError, load_settings


def test_defaults_are_the_public_detectors() -> None:
    settings = Settings()
    assert settings.image_model == "agasta/virtus" and settings.video_model == "agasta/scarlet"
    assert settings.device == "auto" and settings.port == 8000


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOPT_MAX_UPLOAD_BYTES", "1234")
    monkeypatch.setenv("LOPT_VIDEO_MODEL", "none")
    settings = load_settings()
    assert settings.max_upload_bytes == 1234 and settings.video_model is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LOPT_DEVICE", "tpu"),
        ("LOPT_DTYPE", "int3"),
        ("LOPT_MAX_UPLOAD_BYTES", "-1"),
        ("LOPT_MAX_IMAGE_PIXELS", "0"),
        ("LOPT_MAX_VIDEO_SECONDS", "0"),
        ("LOPT_MAX_BATCH_SIZE", "0"),
        ("LOPT_MAX_WAIT_MS", "-5"),
        ("LOPT_QUEUE_DEPTH", "0"),
        ("LOPT_VIDEO_AGGREGATION", "vote"),
        ("LOPT_VIDEO_FACE_RULE", "loudest"),
        ("LOPT_PORT", "70000"),
        ("LOPT_HEATMAP_FRAMES", "0"),
        ("LOPT_HEATMAP_SIDE", "8"),
        ("LOPT_HEATMAP_MIN_CONCENTRATION", "0.1"),
        ("LOPT_HEATMAPS", "sometimes"),
        ("LOPT_IMAGE_MODEL", " "),
        ("LOPT_BROKER_URL", "amqp://guest@localhost//"),
        ("LOPT_JOB_STORE_URL", "sqlite:///jobs.db"),
        ("LOPT_JOB_MAX_FILES", "0"),
        ("LOPT_JOB_MAX_BYTES", "0"),
        ("LOPT_JOB_MAX_QUEUED", "0"),
        ("LOPT_JOB_RETENTION_S", "0"),
        ("LOPT_JOB_VISIBILITY_TIMEOUT_S", "0"),
        ("LOPT_PROVENANCE", "sometimes"),
        ("LOPT_PROVENANCE_DECIDES", "perhaps"),
        ("LOPT_PROVENANCE_TRUST_LIST", "/no/such/list.pem"),
        ("LOPT_PROVENANCE_MAX_MANIFEST_BYTES", "10"),
        ("LOPT_PROVENANCE_MAX_XMP_BYTES", "0"),
        ("LOPT_PROVENANCE_MAX_PNG_TEXT_BYTES", "1"),
        ("LOPT_PROVENANCE_TIMEOUT_S", "0"),
        ("LOPT_FACE_FRAME_PROBE_SIZE", "16"),
        ("LOPT_FACE_FRAME_PROBE_SIZE", "-1"),
        ("LOPT_SHADOW_SAMPLES", "-1"),
        ("LOPT_SHADOW_BUDGET", "0"),
        ("LOPT_SHADOW_SPOT_CHECK", "2"),
        ("LOPT_SHADOW_BUFFER", "0"),
        ("LOPT_SHADOW_EXPORT_TIMEOUT_S", "0"),
    ],
)
def test_invalid_values_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert variable in str(raised.value)


def test_provenance_is_on_and_never_decides_by_default() -> None:
    settings = Settings()
    assert settings.provenance and not settings.provenance_decides
    assert settings.provenance_trust_list is None  # the shipped C2PA list
    assert settings.provenance_max_manifest_bytes == 8 * 1024 * 1024
    assert settings.provenance_max_xmp_bytes == 512 * 1024
    assert settings.provenance_max_png_text_bytes == 16 * 1024
    assert settings.provenance_timeout_s == 5.0


def test_a_trust_list_must_hold_certificates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_text("no certificates here")
    monkeypatch.setenv("LOPT_PROVENANCE_TRUST_LIST", str(empty))
    with pytest.raises(SettingsError, match="LOPT_PROVENANCE_TRUST_LIST"):
        load_settings()
    good = tmp_path / "good.pem"
    good.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    monkeypatch.setenv("LOPT_PROVENANCE_TRUST_LIST", str(good))
    assert load_settings().provenance_trust_list == good


def test_readme_documents_every_setting() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [
        f"LOPT_{name.upper()}"
        for name in Settings.model_fields
        if f"`LOPT_{name.upper()}`" not in readme
    ]
    assert missing == []
