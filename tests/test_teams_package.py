"""The Teams app package: manifest filled from the environment, icons as Teams wants them."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    "TEAMS_APP_ID": "11111111-2222-3333-4444-555555555555",
    "TEAMS_DEVELOPER_NAME": "Ministère de la Transition écologique",
    "TEAMS_WEBSITE_URL": "https://www.ecologie.gouv.fr",
    "TEAMS_PRIVACY_URL": "https://www.ecologie.gouv.fr/donnees-personnelles",
    "TEAMS_TERMS_URL": "https://www.ecologie.gouv.fr/mentions-legales",
}


def package_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "teams_package", ROOT / "scripts" / "teams_package.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_holds_a_filled_manifest_and_the_icons(tmp_path: Path) -> None:
    out = package_module().build(tmp_path / "app.zip", ENV)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(archive.open("color.png"))
        outline = Image.open(archive.open("outline.png"))
    assert manifest["id"] == manifest["bots"][0]["botId"] == ENV["TEAMS_APP_ID"]
    assert manifest["developer"]["name"] == ENV["TEAMS_DEVELOPER_NAME"]
    assert "{{" not in json.dumps(manifest)
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert color.size == (192, 192)
    assert outline.size == (32, 32)
    # The outline icon: white or fully transparent pixels only.
    rgba = outline.convert("RGBA")
    pixels = [rgba.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert all(p[3] == 0 or p[:3] == (255, 255, 255) for p in pixels)  # type: ignore[index]
    assert sum(1 for p in pixels if p[3]) > 100  # type: ignore[index]  # not empty


def test_a_missing_setting_stops_the_build(tmp_path: Path) -> None:
    incomplete = {k: v for k, v in ENV.items() if k != "TEAMS_PRIVACY_URL"}
    with pytest.raises(SystemExit, match="TEAMS_PRIVACY_URL"):
        package_module().build(tmp_path / "app.zip", incomplete)
    assert not (tmp_path / "app.zip").exists()


def test_the_app_id_must_be_a_guid(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="GUID"):
        package_module().build(tmp_path / "app.zip", {**ENV, "TEAMS_APP_ID": "mon-bot"})
