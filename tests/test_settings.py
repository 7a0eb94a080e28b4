"""The config contract: validated with pydantic, errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.settings import ConfigError, load_settings

VALID = """
database: sqlite:///data/newswatch.db
network:
  allow_private: false
  timeout_seconds: 20
  max_bytes: 5000000
  user_agent: "newswatch/test (+ops@example.org)"
feeds:
  - url: https://example.org/rss.xml
    name: Example
topics:
  - name: nato-china-arms
    query: '(NATO OR Stoltenberg) AND (China OR Beijing) AND (weapons OR arms OR "lethal aid")'
    notify: [team]
notify:
  - url: json://127.0.0.1:8080/hook?token=${NEWSWATCH_TEST_TOKEN}
    tags: [team]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newswatch.yaml"
    path.write_text(text)
    return path


def test_the_documented_example_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWATCH_TEST_TOKEN", "abc123")
    monkeypatch.delenv("NEWSWATCH_DATABASE_URL", raising=False)
    settings = load_settings(write(tmp_path, VALID))
    assert settings.notify[0].url.endswith("token=abc123")
    assert settings.topics[0].notify == ["team"]
    # relative SQLite paths resolve against the config file's folder, not the working directory
    assert settings.database == f"sqlite:///{tmp_path.resolve() / 'data' / 'newswatch.db'}"
    assert "abc123" not in repr(settings.notify[0])


def test_database_url_from_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWATCH_TEST_TOKEN", "x")
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", "postgresql+psycopg://nw@db.internal/news")
    assert (
        load_settings(write(tmp_path, VALID)).database == "postgresql+psycopg://nw@db.internal/news"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("feeds:\n  - url: https://a.example/rss\n    nmae: A\n", "feeds[0].nmae: unknown key"),
        (
            "network:\n  timeout_seconds: -1\n",
            "network.timeout_seconds: Input should be greater than 0",
        ),
        ("feeds:\n  - url: ftp://a.example/rss\n", "feeds[0].url"),
        ("database: mysql://root@localhost/x\n", "database: unsupported database 'mysql'"),
        ("topics:\n  - name: t\n    query: 'NATO AND (China'\n", "topics[0].query"),
        (
            "topics:\n  - name: t\n    query: NATO\n    notify: [nobody]\n",
            "topics[0].notify: tag(s) nobody",
        ),
        ("colour: blue\n", "colour: unknown key"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert str(path) in message and expected in message


def test_bad_query_shows_a_caret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, "topics:\n  - name: t\n    query: 'NATO AND (China'\n"))
    lines = str(info.value).splitlines()
    assert any(line.strip() == "NATO AND (China" for line in lines)
    assert any(line.strip() == "^" for line in lines)


def test_yaml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"YAML syntax error at line 3"):
        load_settings(write(tmp_path, "feeds:\n  - url: https://a.example/rss\n   name: [oops\n"))


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_unset_environment_variable_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSWATCH_TEST_TOKEN", raising=False)
    with pytest.raises(ConfigError, match=r"notify\[0\]\.url refers to \$\{NEWSWATCH_TEST_TOKEN\}"):
        load_settings(write(tmp_path, VALID))
