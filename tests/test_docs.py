"""The docs cannot rot: every `newswatch` command in the README's shell blocks runs here, in a
folder whose newswatch.yaml points at the bundled sample site on loopback; every config key is in
the configuration reference."""

from __future__ import annotations

import json
import re
import shlex
from importlib.resources import files
from pathlib import Path

import pytest
from pydantic import BaseModel

from flows.demo import site_manifest
from flows.local_servers import SiteServer
from flows.settings import Settings
from tests.helpers import demo_feeds, host_port, write_config
from tests.test_cli import newswatch

pytestmark = pytest.mark.slow  # starts servers or subprocesses; scheduled first (conftest.py)

REPO = Path(__file__).resolve().parents[1]
# Commands that start servers or run forever, with the test that covers them instead.
COVERED_ELSEWHERE = {
    "serve": "tests/test_serve.py runs `newswatch serve` against a real Prefect server",
}
STORY_URL = "https://example.org/story.html"
OTHER_STORY_URL = "https://example.org/news/some-story.html"


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("newswatch "):
                commands.append(line.split("  #", 1)[0].strip())
    return commands


def test_the_readme_has_commands_to_check() -> None:
    assert len(readme_commands()) >= 8


def test_every_readme_command_runs(tmp_path: Path) -> None:
    article = next(a for a in site_manifest()["articles"] if "lethal aid" in a["title"])
    saved = tmp_path / "saved-page.html"
    with SiteServer(files("flows.demo_site")) as site:
        saved.write_bytes(site.render(article["path"]) or b"")
        write_config(
            tmp_path, feeds=demo_feeds(site.base_url), allow_hosts=[host_port(site.base_url)]
        )
        for command in readme_commands():
            words = shlex.split(command)
            if words[1] in COVERED_ELSEWHERE:
                continue
            output = None
            if ">" in words:
                words, output = words[: words.index(">")], words[words.index(">") + 1]
            if STORY_URL in words or OTHER_STORY_URL in words:
                # the README's example sites are replaced by the sample site on loopback
                words = [
                    site.base_url + article["path"] if w in (STORY_URL, OTHER_STORY_URL) else w
                    for w in words
                ]
                words.append("--allow-private")
            result = newswatch(*words[1:], cwd=tmp_path, timeout=300)
            assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
            if output:
                (tmp_path / output).write_text(result.stdout)
            if "--format json" in command and result.stdout.strip():
                for line in result.stdout.splitlines():
                    json.loads(line)
    assert (tmp_path / "nato-china.csv").read_text().startswith("topic,")


def model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        nested = [t for t in inner if isinstance(t, type) and issubclass(t, BaseModel)]
        if nested:
            joiner = "[]." if getattr(annotation, "__origin__", None) is list else "."
            keys |= model_keys(nested[0], f"{prefix}{name}{joiner}")
        else:
            keys.add(prefix + name)
    return keys


@pytest.mark.parametrize("key", sorted(model_keys(Settings)))
def test_every_config_key_is_documented(key: str) -> None:
    reference = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert f"`{key}`" in reference
