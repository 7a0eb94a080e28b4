"""Article extraction quality and speed: extractors.extract_article against a bare trafilatura call.

Run from the repository root: ``.venv/bin/python bench/extraction.py`` (a few minutes on 2 cores).
Prints JSON lines to stdout:

* ``article-extraction-benchmark`` (../shared/corpora, 181 news pages with ground truth): word
  4-gram precision, recall and F1, and pages per second, for ``extract_article``, for a bare
  ``trafilatura.extract(html, url=url)`` at default settings, and for ``extract_article`` with
  the runner-up options (``favor_precision``), timed in the same run, then the comparisons with
  the goals (F1 >= 0.96 and >= the bare call, throughput >= 0.9x the bare call);
* one line per candidate trafilatura option set (the bare call with those options): F1, pages
  per second, and the trafilatura-pages snippet scores, which is how the options were chosen;
* ``trafilatura-pages`` (139 annotated pages): share of expected ``with`` snippets found and of
  ``without`` (boilerplate) snippets avoided, for both paths;
* a check that language detection on the start of the text agrees with detection on all of it.

Scoring follows the benchmark's description (PROVENANCE.md there), implemented here: tokens are
``\\w+`` matches, shingles are word 4-grams counted as a multiset; per page TP/FP/FN are
normalised by their sum; precision is the mean per-page precision over pages with TP+FP > 0,
recall the mean per-page recall over pages with TP+FN > 0, a page with FP = FN = 0 scores 1 for
both; F1 is the harmonic mean of the two means.

Timing: every path first runs untimed on the first pages (loading models and lazy imports). A
timed pass runs one path over every page, after ``trafilatura.meta.reset_caches()`` so that no
pass reuses another's caches. The main paths run in adjacent passes, in rotating order,
for ``--repeat`` rounds: the throughput ratio is the median of the per-round ratios (adjacent
passes share the machine's load of the moment), and pages per second come from each path's
median pass. Pages are decompressed and decoded before timing, for all paths alike. The
candidate option sets get one pass each, so their speeds are rougher.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura
from trafilatura.meta import reset_caches

from extractors import ExtractionError, extract_article
from extractors.articles import EXTRACT_OPTIONS
from extractors.language import DETECT_CHARS, detect_language

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
AEB = CORPORA / "article-extraction-benchmark"
PAGES = CORPORA / "trafilatura-pages"
WARMUP_PAGES = 10

OURS_DOES = (
    "extractors.extract_article(html, url): parse, read the declared language and canonical "
    "link, trafilatura.bare_extraction with EXTRACT_OPTIONS (metadata: title, author, date, "
    "sitename, ...), py3langid on the first 2000 characters when no language is declared, "
    "canonical URL; returns an Article"
)
BARE_DOES = (
    "trafilatura.extract(html, url=url) at default settings: text only (comments included, "
    "fallback extractors on, no metadata)"
)

CHOSEN = "extract_article"
RUNNER_UP = "extract_article[favor_precision]"
BARE = "bare_trafilatura_extract"
# The best-scoring option set that was not chosen, run through extract_article (metadata and
# language detection included) to see whether it could meet the throughput goal.
RUNNER_UP_OPTIONS: dict[str, Any] = {
    **{k: v for k, v in EXTRACT_OPTIONS.items() if k not in ("fast", "favor_recall")},
    "favor_precision": True,
}
PATH_OPTIONS: dict[str, dict[str, Any]] = {
    CHOSEN: EXTRACT_OPTIONS,
    RUNNER_UP: RUNNER_UP_OPTIONS,
    BARE: {},
}
DOES = {
    CHOSEN: OURS_DOES,
    RUNNER_UP: "the same as extract_article, with the options shown instead of EXTRACT_OPTIONS",
    BARE: BARE_DOES,
}

CANDIDATES: dict[str, dict[str, Any]] = {
    "default": {},
    "no_comments": {"include_comments": False},
    "no_comments+fast": {"include_comments": False, "fast": True},
    "no_comments+fast+favor_recall": {
        "include_comments": False,
        "fast": True,
        "favor_recall": True,
    },
    "no_comments+favor_recall": {"include_comments": False, "favor_recall": True},
    "no_comments+favor_precision": {"include_comments": False, "favor_precision": True},
    "no_comments+fast+favor_precision": {
        "include_comments": False,
        "fast": True,
        "favor_precision": True,
    },
    "no_comments+deduplicate": {"include_comments": False, "deduplicate": True},
    "no_comments+no_tables": {"include_comments": False, "include_tables": False},
}

Extract = Callable[[str | bytes, str | None], str]
WORD = re.compile(r"\w+")
SPACE = re.compile(r"\s+")


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


# --- scoring -----------------------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = WORD.findall(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def shingle_scores(truths: dict[str, str], predictions: dict[str, str]) -> dict[str, float]:
    precisions: list[float] = []
    recalls: list[float] = []
    for key, truth in truths.items():
        expected, got = shingles(truth), shingles(predictions.get(key, ""))
        tp = sum((expected & got).values())
        fp = sum((got - expected).values())
        fn = sum((expected - got).values())
        total = tp + fp + fn
        if total == 0 or (fp == 0 and fn == 0):
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        # normalising by the sum gives every page equal weight; ratios are unchanged by it
        tp_n, fp_n, fn_n = tp / total, fp / total, fn / total
        if tp_n + fp_n > 0:
            precisions.append(tp_n / (tp_n + fp_n))
        if tp_n + fn_n > 0:
            recalls.append(tp_n / (tp_n + fn_n))
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def snippet_scores(expectations: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    found = wanted = avoided = unwanted = 0
    for name, expected in expectations.items():
        text = SPACE.sub(" ", texts.get(name, ""))
        for snippet in expected["with"]:
            wanted += 1
            found += SPACE.sub(" ", snippet).strip() in text
        for snippet in expected["without"]:
            unwanted += 1
            avoided += SPACE.sub(" ", snippet).strip() not in text
    return {
        "with_found": round(found / wanted, 4),
        "with_found_count": f"{found}/{wanted}",
        "without_avoided": round(avoided / unwanted, 4),
        "without_avoided_count": f"{avoided}/{unwanted}",
    }


# --- paths -------------------------------------------------------------------------------------


def ours(html: str | bytes, url: str | None) -> str:
    try:
        return extract_article(html, url).text
    except ExtractionError:
        return ""


def runner_up(html: str | bytes, url: str | None) -> str:
    try:
        return extract_article(html, url, options=RUNNER_UP_OPTIONS).text
    except ExtractionError:
        return ""


def bare(html: str | bytes, url: str | None) -> str:
    return trafilatura.extract(html, url=url) or ""


def with_options(options: dict[str, Any]) -> Extract:
    def run(html: str | bytes, url: str | None) -> str:
        return trafilatura.extract(html, url=url, **options) or ""

    return run


def timed_pass(
    extract: Extract, pages: dict[str, tuple[str | bytes, str | None]]
) -> tuple[float, dict[str, str]]:
    reset_caches()
    started = time.perf_counter()
    texts = {key: extract(html, url) for key, (html, url) in pages.items()}
    return time.perf_counter() - started, texts


# --- corpora -----------------------------------------------------------------------------------


def load_benchmark() -> tuple[dict[str, tuple[str | bytes, str | None]], dict[str, str]]:
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    pages: dict[str, tuple[str | bytes, str | None]] = {}
    for key, item in truth.items():
        html = gzip.decompress((AEB / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
        pages[key] = (html, item["url"])
    return pages, {key: item["articleBody"] for key, item in truth.items()}


def load_snippet_pages() -> tuple[dict[str, tuple[str | bytes, str | None]], dict[str, Any]]:
    expectations = json.loads((PAGES / "expectations.json").read_text(encoding="utf-8"))
    pages: dict[str, tuple[str | bytes, str | None]] = {
        name: ((PAGES / "pages" / name).read_bytes(), item.get("url"))
        for name, item in expectations.items()
    }
    return pages, expectations


# --- the run -----------------------------------------------------------------------------------


def compare_main_paths(
    pages: dict[str, tuple[str | bytes, str | None]], truths: dict[str, str], repeat: int
) -> None:
    paths: dict[str, Extract] = {
        CHOSEN: ours,
        RUNNER_UP: runner_up,
        BARE: bare,
    }
    warmup = dict(list(pages.items())[:WARMUP_PAGES])
    for extract in paths.values():
        for html, url in warmup.values():
            extract(html, url)
    seconds: dict[str, list[float]] = {name: [] for name in paths}
    texts: dict[str, dict[str, str]] = {}
    names = list(paths)
    for round_number in range(repeat):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed, outputs = timed_pass(paths[name], pages)
            seconds[name].append(elapsed)
            texts.setdefault(name, outputs)
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        results[name] = {
            "corpus": "article-extraction-benchmark",
            "path": name,
            "does": DOES[name],
            "options": _jsonable(PATH_OPTIONS[name]),
            "pages": len(pages),
            **shingle_scores(truths, texts[name]),
            "pages_per_second": round(len(pages) / statistics.median(seconds[name]), 2),
            "seconds_per_round": [round(s, 2) for s in seconds[name]],
            "empty_outputs": sum(not text.strip() for text in texts[name].values()),
        }
        emit(results[name])
    for name in (CHOSEN, RUNNER_UP):
        ratios = [
            bare_seconds / path_seconds
            for path_seconds, bare_seconds in zip(seconds[name], seconds[BARE], strict=True)
        ]
        ratio = statistics.median(ratios)
        f1, f1_bare = results[name]["f1"], results[BARE]["f1"]
        emit(
            {
                "corpus": "article-extraction-benchmark",
                "comparison": f"{name} vs {BARE}",
                "f1": f1,
                "f1_bare": f1_bare,
                "throughput_ratio": round(ratio, 3),
                "throughput_ratio_per_round": [round(r, 3) for r in ratios],
                "goal_f1_at_least_0.96": f1 >= 0.96,
                "goal_f1_at_least_bare": f1 >= f1_bare,
                "goal_throughput_at_least_0.9x": ratio >= 0.9,
            }
        )


def score_candidates(
    pages: dict[str, tuple[str | bytes, str | None]],
    truths: dict[str, str],
    snippet_pages: dict[str, tuple[str | bytes, str | None]] | None,
    expectations: dict[str, Any] | None,
) -> None:
    for name, options in CANDIDATES.items():
        extract = with_options(options)
        elapsed, texts = timed_pass(extract, pages)
        record: dict[str, Any] = {
            "candidate": name,
            "call": "trafilatura.extract(html, url=url, **options)",
            "options": options,
            **shingle_scores(truths, texts),
            "pages_per_second": round(len(pages) / elapsed, 2),
            "timing": "one pass",
        }
        if snippet_pages is not None and expectations is not None:
            _, snippet_texts = timed_pass(extract, snippet_pages)
            record["trafilatura_pages"] = snippet_scores(expectations, snippet_texts)
        emit(record)


def score_snippet_pages(
    pages: dict[str, tuple[str | bytes, str | None]], expectations: dict[str, Any]
) -> dict[str, str]:
    our_texts: dict[str, str] = {}
    for name, extract in ((CHOSEN, ours), (BARE, bare)):
        _, texts = timed_pass(extract, pages)
        if name == CHOSEN:
            our_texts = texts
        emit(
            {
                "corpus": "trafilatura-pages",
                "path": name,
                "does": DOES[name],
                "pages": len(pages),
                **snippet_scores(expectations, texts),
            }
        )
    return our_texts


def check_language_prefix(texts: dict[str, str]) -> None:
    """Detection on the first DETECT_CHARS characters against detection on the whole text."""
    agree = compared = 0
    prefix_seconds = full_seconds = 0.0
    for text in texts.values():
        started = time.perf_counter()
        on_prefix = detect_language(text)
        prefix_seconds += time.perf_counter() - started
        started = time.perf_counter()
        on_all = detect_language(text, limit=None)
        full_seconds += time.perf_counter() - started
        if on_all is not None:
            compared += 1
            agree += on_prefix == on_all
    emit(
        {
            "check": "language detection on the first characters vs the whole text",
            "corpus": "trafilatura-pages (extract_article texts)",
            "prefix_chars": DETECT_CHARS,
            "pages_compared": compared,
            "same_language": agree,
            "ms_per_page_prefix": round(1000 * prefix_seconds / max(len(texts), 1), 3),
            "ms_per_page_whole_text": round(1000 * full_seconds / max(len(texts), 1), 3),
        }
    )


def _jsonable(options: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(options, default=str))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per main path")
    parser.add_argument("--no-candidates", action="store_true", help="skip the option sets")
    args = parser.parse_args(argv)
    if not AEB.is_dir():
        emit({"skipped": f"{AEB} is absent: the shared corpora live beside the repo in ../shared"})
        return 0
    pages, truths = load_benchmark()
    snippet_pages: dict[str, tuple[str | bytes, str | None]] | None = None
    expectations: dict[str, Any] | None = None
    if PAGES.is_dir():
        snippet_pages, expectations = load_snippet_pages()
    compare_main_paths(pages, truths, max(1, args.repeat))
    if not args.no_candidates:
        score_candidates(pages, truths, snippet_pages, expectations)
    if snippet_pages is not None and expectations is not None:
        check_language_prefix(score_snippet_pages(snippet_pages, expectations))
    else:
        emit({"skipped": f"{PAGES} is absent: no snippet scores"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
