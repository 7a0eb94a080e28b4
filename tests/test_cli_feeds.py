"""`newswatch init` and `newswatch feeds ...`, run as a user runs them (the console script in a
subprocess), plus the config editor's edge cases in-process."""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import pty
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flows.config_edit import FeedEntry, add_feeds, remove_feed, save_config
from flows.opml import parse_opml
from flows.settings import ConfigError, load_settings
from tests.helpers import demo_feeds, host_port, write_config

pytestmark = pytest.mark.slow  # starts servers or subprocesses; scheduled first (conftest.py)

NEWSWATCH = shutil.which("newswatch", path=str(Path(sys.executable).parent)) or "newswatch"
OPML = Path(__file__).parent / "fixtures" / "opml"
NATO_CHINA = (
    "(NATO OR OTAN OR Stoltenberg) AND (China OR Chine OR Beijing OR Pékin) AND "
    '(weapons OR arms OR armes OR "lethal aid")'
)

# A config as a person writes it: comments above, inside and after feeds:, quoting styles,
# its own key order.
COMMENTED = """\
# my newswatch
topics:
  - name: harbour
    query: 'harbour AND strike'   # quoted on purpose

# the feeds I follow
feeds:
  # --- local papers ---
  - url: "https://one.example/rss"     # the first
    name: 'One Daily'
  # --- national ---
  - url: https://two.example/feed.xml
    name: Two
    tags: [national]
  - url: https://three.example/atom
# after the feeds
database: sqlite:///newswatch.db
"""
COMMENT_LINES = [line for line in COMMENTED.splitlines() if "#" in line]


def newswatch(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [NEWSWATCH, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env
    )


def newswatch_on_a_terminal(*args: str, cwd: Path) -> str:
    """Run with stdout on a pseudo-terminal; return what the terminal showed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [NEWSWATCH, *args], stdout=follower, stderr=subprocess.PIPE, cwd=cwd, env=env
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    return shown.decode("utf-8", errors="replace")


def feeds_cmd(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return newswatch("feeds", *args, "--config", str(config))


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture
def commented(tmp_path: Path) -> Path:
    config = tmp_path / "newswatch.yaml"
    config.write_text(COMMENTED, encoding="utf-8")
    return config


def feeds_of(config: Path) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [(f.url, f.name, tuple(f.tags)) for f in load_settings(config).feeds]


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines ``after`` removes from ``before`` and the lines it adds."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


# --- init --------------------------------------------------------------------------------------


def test_init_writes_a_commented_config_that_loads(tmp_path: Path) -> None:
    folder = tmp_path / "watch"
    result = newswatch("init", str(folder))
    assert result.returncode == 0, result.stderr
    config = folder / "newswatch.yaml"
    settings = load_settings(config)
    urls = {f.url for f in settings.feeds}
    assert {
        "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml",
        "https://news.un.org/feed/subscribe/en/news/all/rss.xml",
        "https://feeds.bbci.co.uk/news/world/rss.xml",
        "https://rss.dw.com/rdf/rss-en-world",
    } <= urls
    assert [(t.name, t.query, t.notify) for t in settings.topics] == [
        ("nato-china-arms", NATO_CHINA, [])
    ]
    assert settings.notify == []
    text = text_of(config)
    assert "#   - url: tgram://" in text  # the channel example, commented out
    for section in ("database:", "network:", "feeds:", "topics:", "notify:", "health:"):
        before = text[: text.index("\n" + section)]
        assert before.rstrip().splitlines()[-1].startswith("#"), f"no comment above {section}"
    lines = result.stdout.splitlines()
    shown = str(config)
    assert any(f"newswatch topics check --config {shown}" in line for line in lines)
    assert any(f"newswatch run --config {shown}" in line for line in lines)
    assert any(f"newswatch matches --config {shown}" in line for line in lines)
    checked = newswatch("topics", "check", "--config", str(config))
    assert checked.returncode == 0, checked.stderr


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    config = tmp_path / "newswatch.yaml"
    config.write_text("feeds: []\n", encoding="utf-8")
    refused = newswatch("init", cwd=tmp_path)
    assert refused.returncode == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert text_of(config) == "feeds: []\n"
    forced = newswatch("init", str(tmp_path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert text_of(tmp_path / "newswatch.yaml.bak") == "feeds: []\n"
    assert load_settings(config).feeds


# --- add and remove ----------------------------------------------------------------------------


def test_add_keeps_comments_order_and_quoting(commented: Path) -> None:
    result = feeds_cmd(
        commented,
        "add",
        "https://four.example/rss",
        "--name",
        "Four: the 4th",
        "-t",
        "world",
        "-t",
        "yes",
    )
    assert result.returncode == 0, result.stderr
    after = text_of(commented)
    removed, added = changes(COMMENTED, after)
    assert removed == []
    assert added == [
        "  - url: https://four.example/rss",
        '    name: "Four: the 4th"',
        '    tags: [world, "yes"]',  # quoted: YAML 1.1 would read a bare yes as true
    ]
    assert after.index(added[0]) < after.index("# after the feeds")
    assert text_of(commented.parent / "newswatch.yaml.bak") == COMMENTED
    assert feeds_of(commented)[-1] == (
        "https://four.example/rss",
        "Four: the 4th",
        ("world", "yes"),
    )


@pytest.mark.parametrize(
    "url",
    ["https://two.example/feed.xml", "HTTPS://TWO.example/feed.xml", "https://one.example/rss"],
)
def test_add_refuses_a_feed_already_there(commented: Path, url: str) -> None:
    result = feeds_cmd(commented, "add", url)
    assert result.returncode == 2
    assert "already a feed in" in result.stderr and str(commented) in result.stderr
    assert text_of(commented) == COMMENTED
    assert not (commented.parent / "newswatch.yaml.bak").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://files.example/rss"], "not an http(s) URL"),
        (["example.org/rss"], "not an http(s) URL"),
        (["https://x.example/rss", "--tag", "news/europe"], "cannot contain '/'"),
    ],
)
def test_add_refuses_bad_input(commented: Path, args: list[str], message: str) -> None:
    result = feeds_cmd(commented, "add", *args)
    assert result.returncode == 2 and message in result.stderr
    assert text_of(commented) == COMMENTED


def test_commands_need_an_existing_config(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    for args in (
        ["add", "https://x.example/rss"],
        ["remove", "https://x.example/rss"],
        ["import", str(OPML / "reader-export.opml")],
        ["export"],
        ["list"],
    ):
        result = feeds_cmd(missing, *args)
        assert result.returncode == 2, args
        assert f"{missing}: config file not found" in result.stderr
        assert "newswatch init" in result.stderr
    assert not missing.exists()


def test_remove_keeps_the_other_entries_and_every_comment_around(commented: Path) -> None:
    result = feeds_cmd(commented, "remove", "https://two.example/feed.xml")
    assert result.returncode == 0, result.stderr
    after = text_of(commented)
    assert changes(COMMENTED, after) == (
        ["  - url: https://two.example/feed.xml", "    name: Two", "    tags: [national]"],
        [],
    )
    assert [u for u, _, _ in feeds_of(commented)] == [
        "https://one.example/rss",
        "https://three.example/atom",
    ]


def test_removing_every_feed_leaves_an_empty_list_and_the_comments(commented: Path) -> None:
    for url in (
        "https://one.example/rss",
        "https://three.example/atom",
        "https://two.example/feed.xml",
    ):
        result = feeds_cmd(commented, "remove", url)
        assert result.returncode == 0, result.stderr
    after = text_of(commented)
    assert "feeds: []" in after
    kept = [c for c in COMMENT_LINES if "the first" not in c]  # that one was on a removed line
    assert all(line in after for line in kept), after
    assert load_settings(commented).feeds == []


def test_remove_of_an_unknown_feed_fails_and_suggests(commented: Path) -> None:
    result = feeds_cmd(commented, "remove", "https://two.example/feed.xm")
    assert result.returncode == 2
    assert "is not a feed in" in result.stderr
    assert "did you mean https://two.example/feed.xml?" in result.stderr
    assert text_of(commented) == COMMENTED


# --- import and export -------------------------------------------------------------------------


def test_import_reports_and_keeps_comments(commented: Path) -> None:
    result = feeds_cmd(commented, "import", str(OPML / "reader-export.opml"))
    assert result.returncode == 0, result.stderr
    assert "9 added, 0 already present, 2 skipped (not http)" in result.stdout
    assert "skipped mailto:letters@example.org" in result.stderr
    after = text_of(commented)
    assert changes(COMMENTED, after)[0] == []  # nothing removed or changed
    feeds = {url: (name, tags) for url, name, tags in feeds_of(commented)}
    assert feeds["https://feeds.bbci.co.uk/news/world/rss.xml"] == (
        "BBC World",
        ("News", "Europe", "World <Asia> 中文 🌏"),
    )
    assert feeds["https://www.lemonde.fr/international/rss_full.xml"][0] == (
        "Le Monde — International (é à ç)"
    )
    again = feeds_cmd(commented, "import", str(OPML / "reader-export.opml"))
    assert again.returncode == 0, again.stderr
    assert "0 added, 9 already present, 2 skipped (not http)" in again.stdout
    assert text_of(commented) == after


def test_import_dry_run_changes_nothing(commented: Path) -> None:
    result = feeds_cmd(commented, "import", str(OPML / "thunderbird.opml"), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "2 to add, 0 already present, 0 skipped (not http)" in result.stdout
    assert text_of(commented) == COMMENTED


@pytest.mark.parametrize("fixture", ["broken.opml", "billion-laughs.opml"])
def test_import_of_an_invalid_file_names_it(commented: Path, fixture: str) -> None:
    result = feeds_cmd(commented, "import", str(OPML / fixture))
    assert result.returncode == 2
    assert f"{OPML / fixture}: not a valid OPML file" in result.stderr
    assert text_of(commented) == COMMENTED


def test_import_export_import_gives_the_same_feeds_and_tags(tmp_path: Path) -> None:
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    for config in (first, second):
        config.write_text("# feeds come from OPML\nfeeds: []\n", encoding="utf-8")
    assert feeds_cmd(first, "import", str(OPML / "reader-export.opml")).returncode == 0
    exported = feeds_cmd(first, "export")
    assert exported.returncode == 0, exported.stderr
    assert '<opml version="2.0">' in exported.stdout
    opml = tmp_path / "exported.opml"
    opml.write_text(exported.stdout, encoding="utf-8")
    assert feeds_cmd(second, "import", str(opml)).returncode == 0
    assert feeds_of(second) == feeds_of(first)
    expected = parse_opml((OPML / "reader-export.opml").read_bytes())
    assert {f[0] for f in feeds_of(second)} == {f.url for f in expected if f.url.startswith("http")}
    assert "# feeds come from OPML" in text_of(second)


def many_feeds(folder: Path, count: int) -> Path:
    outlines = "".join(
        f'<outline type="rss" text="Feed {i}" xmlUrl="https://feeds.example/{i}.xml"/>'
        for i in range(count)
    )
    path = folder / "many.opml"
    path.write_text(
        f'<opml version="2.0"><body><outline text="Bulk">{outlines}</outline></body></opml>',
        encoding="utf-8",
    )
    return path


def test_import_shows_a_progress_bar_on_a_terminal_only(commented: Path) -> None:
    opml = many_feeds(commented.parent, 40)
    shown = newswatch_on_a_terminal(
        "feeds", "import", str(opml), "--dry-run", "-c", str(commented), cwd=commented.parent
    )
    assert "Importing many.opml" in shown and "40/40" in shown
    assert "40 to add" in shown
    piped = feeds_cmd(commented, "import", str(opml))
    assert piped.returncode == 0, piped.stderr
    assert "Importing" not in piped.stdout + piped.stderr
    assert "40 added, 0 already present, 0 skipped (not http)" in piped.stdout
    assert all(tags == ("Bulk",) for _, _, tags in feeds_of(commented)[3:])


# --- list with health --------------------------------------------------------------------------


def test_list_before_any_cycle_creates_no_database(commented: Path) -> None:
    result = feeds_cmd(commented, "list", "--format", "json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["url"] for r in records] == [u for u, _, _ in feeds_of(commented)]
    assert {r["status"] for r in records} == {"not polled yet"}
    assert records[1]["tags"] == ["national"]
    assert not (commented.parent / "newswatch.db").exists()


def test_list_shows_health_after_a_cycle(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from flows.pipeline import run_cycle

    missing = site.base_url + "/gone/rss.xml"
    feeds = [*demo_feeds(site.base_url), {"url": missing, "name": "Gone"}]
    config = write_config(tmp_path, feeds=feeds, allow_hosts=[host_port(site.base_url)])
    run_cycle(load_settings(config))
    run_cycle(load_settings(config))  # a second failure in a row: the feed rests a while

    result = feeds_cmd(config, "list", "--format", "json")
    assert result.returncode == 0, result.stderr
    records = {r["url"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert list(records) == [f["url"] for f in feeds]
    for feed in demo_feeds(site.base_url):
        record = records[feed["url"]]
        assert record["status"] == "ok" and record["name"] == feed["name"]
        assert record["last_success"] and record["consecutive_failures"] == 0
        assert record["disabled"] is False and record["last_error"] is None
    gone = records[missing]
    assert gone["status"] == "failing (2x)" and gone["consecutive_failures"] == 2
    assert gone["last_success"] is None and gone["next_poll"] and "404" in gone["last_error"]

    table = feeds_cmd(config, "list")
    assert table.returncode == 0 and "failing (2x)" in table.stdout and "Gone" in table.stdout
    assert "next cycle" in table.stdout  # the feeds that work
    as_csv = feeds_cmd(config, "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["url"] for r in rows] == list(records) and rows[-1]["consecutive_failures"] == "2"
    bad = feeds_cmd(config, "list", "--format", "xml")
    assert bad.returncode == 2 and "--format" in bad.stderr


@pytest.mark.parametrize(
    "command", ["feeds add", "feeds remove", "feeds import", "feeds export", "feeds list", "init"]
)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = newswatch(*command.split(), "--help")
    assert result.returncode == 0 and f"Example: newswatch {command.split()[0]}" in result.stdout
    assert "--config" in result.stdout or command == "init"


# --- the editor in-process: layouts the commands meet less often ------------------------------


NEW = "https://n.example/a"
ITEM = f"  - url: {NEW}\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("database: x.db\n", "database: x.db\nfeeds:\n" + ITEM),
        ("# a comment\n", "# a comment\nfeeds:\n" + ITEM),
        ("feeds:   # none\ntopics: []\n", "feeds:   # none\n" + ITEM + "topics: []\n"),
        ("feeds: []  # fill me\n", "feeds:  # fill me\n" + ITEM),
        (
            "feeds:\n- url: https://a.example/x\n",
            f"feeds:\n- url: https://a.example/x\n- url: {NEW}\n",
        ),
        (
            "x: 1\n# topics next\ntopics: []\n",
            "x: 1\nfeeds:\n" + ITEM + "# topics next\ntopics: []\n",
        ),
        (
            "feeds:\r\n" + ITEM.replace("n.", "a.")[:-1] + "\r\n",
            "feeds:\r\n" + ITEM.replace("n.", "a.")[:-1] + "\r\n" + ITEM[:-1] + "\r\n",
        ),
    ],
    ids=["no-key", "comment-only", "null", "empty-flow", "compact", "before-topics", "crlf"],
)
def test_add_in_other_layouts(before: str, after: str) -> None:
    assert add_feeds(before, [FeedEntry(NEW)]) == after


def test_flow_style_lists_are_edited_through_a_round_trip() -> None:
    before = "feeds: [{url: 'https://a.example/x'}]  # flow\ntopics: []\n"
    added = add_feeds(before, [FeedEntry("https://n.example/a", "on")])
    assert yaml.safe_load(added)["feeds"] == [
        {"url": "https://a.example/x"},
        {"url": "https://n.example/a", "name": "on"},
    ]
    assert "# flow" in added and "'https://a.example/x'" in added
    assert yaml.safe_load(remove_feed(before, 0)) == {"feeds": [], "topics": []}


def test_save_validates_before_writing_and_keeps_a_backup(commented: Path) -> None:
    commented.chmod(0o600)
    invalid = add_feeds(COMMENTED, [FeedEntry("https://n.example/a")]).replace(
        "name: Two", "nmae: Two"
    )
    with pytest.raises(ConfigError, match=r"feeds\[1\]\.nmae: unknown key"):
        save_config(commented, COMMENTED, invalid)
    assert text_of(commented) == COMMENTED
    assert not (commented.parent / "newswatch.yaml.bak").exists()

    valid = add_feeds(COMMENTED, [FeedEntry("https://n.example/a")])
    with pytest.raises(ConfigError, match="changed while it was being edited"):
        save_config(commented, COMMENTED.replace("Two", "2"), valid)
    save_config(commented, COMMENTED, valid)
    assert text_of(commented) == valid
    assert text_of(commented.parent / "newswatch.yaml.bak") == COMMENTED
    assert stat.S_IMODE(commented.stat().st_mode) == 0o600
    assert sorted(p.name for p in commented.parent.iterdir()) == [
        "newswatch.yaml",
        "newswatch.yaml.bak",
    ]


def test_a_symlinked_config_stays_a_symlink(commented: Path) -> None:
    link = commented.parent / "link.yaml"
    link.symlink_to(commented)
    result = feeds_cmd(link, "add", "https://n.example/a")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and "https://n.example/a" in text_of(commented)
