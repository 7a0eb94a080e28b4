from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts import redact_url
from alerts.redact import url_secrets


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tgram://123456:ABC-secret/chatid", "tgram://123456"),
        ("json://user:pw@host/path?+Authorization=Bearer%20x", "json://host"),
        (
            "json://user:s3cr3t-T0KEN@127.0.0.1:8080/hook?+X-Token=s3cr3t-T0KEN",
            "json://127.0.0.1:8080",
        ),
        ("notaservice://s3cr3t-T0KEN@x", "notaservice://x"),
        ("JSONS://Example.COM:443/a#frag", "jsons://example.com:443"),
        ("json://[::1]:9000/hook", "json://[::1]:9000"),
        ("json://user:p@ss#word@host.example/x", "json://host.example"),
        ("mailto://me:pw@gmail.com?to=other@example.com", "mailto://gmail.com"),
        # A long single-label "host" is a token in disguise (pushover://user@TOKEN).
        ("pover://userkey@azGDORePK8gMaC0QOYAMyEEuzJnyUi", "pover://a...i"),
        ("not a url", "<unrecognised URL>"),
        ("", "<unrecognised URL>"),
    ],
)
def test_redact_url_examples(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("tgram://123456:ABC-secret/chatid", ["ABC-secret"]),
        ("json://user:pw@host/path?+Authorization=Bearer%20x", ["user", "Bearer x"]),
        ("json://u:s3cr3t-T0KEN@h/x?+X-Token=s3cr3t-T0KEN", ["s3cr3t-T0KEN"]),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", ["TIiajkdnlazkcOXrIdevi7FQ"]),
        ("json://h/x?-apikey=abc%2Fdef", ["abc%2Fdef", "abc/def"]),
    ],
)
def test_url_secrets_cover_the_credentials(url: str, secrets: list[str]) -> None:
    found = url_secrets(url)
    for secret in secrets:
        assert secret in found
    assert "format" not in found


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_redact_url_never_raises(text: str) -> None:
    out = redact_url(text)
    assert isinstance(out, str)


_TOKEN = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="/?@#:[]"),
    min_size=3,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(user=_TOKEN, password=_TOKEN, path=_TOKEN, value=_TOKEN)
def test_redacted_url_keeps_no_credential(user: str, password: str, path: str, value: str) -> None:
    url = f"json://{user}:{password}@collector.example:8443/{path}?+X-Key={value}"
    out = redact_url(url)
    assert out == "json://collector.example:8443"
