"""Article extraction: main text without comments, declared or detected language, clear errors."""

from __future__ import annotations

import pytest

from extractors import ExtractionError, extract_article
from extractors.language import declared_language, detect_language, language_code

ENGLISH = [
    "The city council approved the new budget on Tuesday after a long debate about public "
    "transport, housing and the cost of repairing the old bridge over the river.",
    "Members of the opposition said the plan did not do enough for families who struggle with "
    "rising rents, while the mayor argued that the spending was careful and necessary.",
    "The budget will be published in full next week, and residents can comment on it online "
    "until the end of the month before the final vote takes place in the spring.",
]
GERMAN = [
    "Der Stadtrat hat am Dienstag nach einer langen Debatte über den öffentlichen Nahverkehr, "
    "den Wohnungsbau und die Kosten für die Reparatur der alten Brücke den Haushalt beschlossen.",
    "Die Opposition kritisierte, dass der Plan zu wenig für Familien tue, die unter steigenden "
    "Mieten leiden, während die Bürgermeisterin die Ausgaben als sorgfältig verteidigte.",
    "Der Haushalt wird nächste Woche vollständig veröffentlicht, und die Bürgerinnen und Bürger "
    "können ihn bis Ende des Monats im Internet kommentieren.",
]
FRENCH = [
    "Le conseil municipal a adopté mardi le nouveau budget après un long débat sur les "
    "transports publics, le logement et le coût de la réparation du vieux pont sur la rivière.",
    "L'opposition a estimé que le projet ne faisait pas assez pour les familles qui souffrent "
    "de la hausse des loyers, tandis que la maire a défendu des dépenses prudentes.",
    "Le budget sera publié dans son intégralité la semaine prochaine et les habitants pourront "
    "le commenter en ligne jusqu'à la fin du mois.",
]


def page(paragraphs: list[str], html_attrs: str = "", head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html {html_attrs}><head><title>Council budget - Daily Example</title>"
        f"{head}</head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/politics'>Politics</a></li>"
        "<li><a href='/sport'>Sport</a></li></ul></nav>"
        f"<article><h1>Council approves the budget</h1>{body}</article>"
        "<section id='comments' class='comments'><h2>Comments</h2>"
        "<div class='comment'><p>Reader Zed wrote: THIS COMMENT TEXT must never reach the "
        "article text, it is only a reader comment below the story.</p></div></section>"
        "<footer><p>Copyright Daily Example. All rights reserved.</p></footer></body></html>"
    )


def test_main_text_without_navigation_or_comments() -> None:
    article = extract_article(
        page(ENGLISH, 'lang="en-GB"'), "https://daily.example/budget?utm_source=x"
    )
    assert "approved the new budget" in article.text
    assert "until the end of the month" in article.text
    assert "THIS COMMENT TEXT" not in article.text
    assert "Politics" not in article.text and "All rights reserved" not in article.text
    assert article.language == "en"
    assert article.canonical_url == "https://daily.example/budget"


@pytest.mark.parametrize(
    ("paragraphs", "expected"), [(ENGLISH, "en"), (GERMAN, "de"), (FRENCH, "fr")]
)
def test_language_detected_when_the_page_declares_none(
    paragraphs: list[str], expected: str
) -> None:
    assert extract_article(page(paragraphs), "https://daily.example/a").language == expected


def test_declared_language_wins_over_detection() -> None:
    """The page says German: we believe it (detection only fills a gap)."""
    assert extract_article(page(ENGLISH, 'lang="de-AT"')).language == "de"


@pytest.mark.parametrize(
    ("attrs", "head", "expected"),
    [
        ('lang="und"', "", "fr"),  # "undetermined" declares nothing: detect
        ("", '<meta http-equiv="Content-Language" content="de-CH">', "de"),
        ('xml:lang="fr"', "", "fr"),
    ],
)
def test_other_declarations(attrs: str, head: str, expected: str) -> None:
    assert extract_article(page(FRENCH, attrs, head)).language == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("en-GB", "en"),
        ("de_AT", "de"),
        (" FR ", "fr"),
        ("und", None),
        ("x-klingon", None),
        ("", None),
        (None, None),
        ("en,de", "en"),
        ("12", None),
    ],
)
def test_language_code(value: str | None, code: str | None) -> None:
    assert language_code(value) == code


def test_detection_needs_enough_letters() -> None:
    assert detect_language("Short headline") is None
    assert detect_language(" ".join(GERMAN)) == "de"


def test_declared_language_reads_the_tree() -> None:
    import lxml.html

    tree = lxml.html.fromstring("<html lang='pt-BR'><head></head><body><p>x</p></body></html>")
    assert declared_language(tree) == "pt"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "the page is empty"),
        (b"   \n ", "the page is empty"),
        (
            "<html><body><nav><a href='/'>Home</a></nav><script>render()</script></body></html>",
            "no article text found",
        ),
    ],
)
def test_pages_without_text_raise_with_a_reason(html: str | bytes, reason: str) -> None:
    with pytest.raises(ExtractionError, match=reason) as info:
        extract_article(html, "https://daily.example/empty")
    assert str(info.value).startswith("https://daily.example/empty: ")
    assert info.value.reason.startswith(reason)
