"""The settings registry: precedence, validation, and docs that list every setting."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from newsfold import config
from newsfold.errors import ConfigError

DOC = Path(__file__).resolve().parents[1] / "docs" / "SETTINGS.md"


def test_every_setting_has_help_and_is_documented_with_its_default() -> None:
    doc = DOC.read_text()
    for f in fields(config.Settings):
        assert f.name in config.HELP, f"setting {f.name} has no help line"
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{f.name}` |")), None)
        assert row is not None, f"docs/SETTINGS.md does not list {f.name}"
        default = f.default
        assert (f"`{default}`" in row) if default != "" else "(empty)" in row, f"{f.name}: default not in docs"
        assert config.HELP[f.name] in row


def test_precedence_file_env_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "n.toml"
    cfg.write_text("[newsfold]\nlink_threshold = 0.6\nwindow_days = 10\nbatch_size = 8\n")
    monkeypatch.setenv("NEWSFOLD_WINDOW_DAYS", "20")
    s = config.load(str(cfg), {"batch_size": "16"})
    assert (s.link_threshold, s.window_days, s.batch_size) == (0.6, 20.0, 16)


@pytest.mark.parametrize("name,value", [("link_threshold", "1.5"), ("batch_size", "many"), ("nope", "1")])
def test_bad_settings_are_refused_with_a_reason(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        config.load(None, {name: value})
