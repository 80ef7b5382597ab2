"""The package's own promises: no model or web code, and the trust list ships with it."""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from pathlib import Path

import lopt
from lopt.config import Settings
from lopt.provenance import ProvenanceOptions
from lopt.provenance.manifests import SHIPPED_TRUST_LIST

PACKAGE = Path(lopt.__file__).parent
FORBIDDEN = {"torch", "fastapi", "starlette", "transformers", "timm", "onnxruntime"}


def test_provenance_imports_no_model_or_web_code() -> None:
    imported = set()
    for path in (PACKAGE / "provenance").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert imported & FORBIDDEN == set()


def test_the_trust_list_and_its_licence_ship_as_package_data() -> None:
    folder = SHIPPED_TRUST_LIST.parent
    assert SHIPPED_TRUST_LIST.read_text().count("-----BEGIN CERTIFICATE-----") >= 10
    assert "Attribution 4.0 International" in (folder / "LICENSE").read_text()
    assert "CC BY 4.0" in (folder / "README.md").read_text()
    pyproject = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["lopt"]
    for name in ("C2PA-TRUST-LIST.pem", "LICENSE", "README.md"):
        shipped = str((folder / name).relative_to(PACKAGE))
        assert any(fnmatch.fnmatch(shipped, pattern) for pattern in patterns), shipped


def test_options_come_from_settings(tmp_path: Path) -> None:
    default = ProvenanceOptions.from_settings(Settings())
    assert default.trust_list == SHIPPED_TRUST_LIST and not default.decides
    assert default.max_manifest_bytes == 8 * 1024 * 1024 and default.timeout_s == 5.0
    other = tmp_path / "list.pem"
    other.write_text(SHIPPED_TRUST_LIST.read_text())
    chosen = ProvenanceOptions.from_settings(
        Settings(provenance_trust_list=other, provenance_decides=True)  # type: ignore[call-arg]
    )
    assert chosen.trust_list == other and chosen.decides
