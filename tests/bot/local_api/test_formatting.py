import pytest

from bot.local_api.formatting import FormattingError, parse_html


def test_tags_become_entities_and_references_are_decoded() -> None:
    text, entities = parse_html(
        '<b>离婚</b> &lt;冷静期&gt; <a href="https://x.cn/?a=1&amp;b=2">详情</a>'
    )
    assert text == "离婚 <冷静期> 详情"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "text_link", "url": "https://x.cn/?a=1&b=2", "offset": 9, "length": 2},
    ]


def test_offsets_are_utf16_and_nesting_is_kept() -> None:
    text, entities = parse_html("😀<i>a<u>b</u></i>")
    assert text == "😀ab"
    assert entities == [
        {"type": "italic", "offset": 2, "length": 2},
        {"type": "underline", "offset": 3, "length": 1},
    ]


def test_pre_with_language_and_empty_entities() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre><b></b>')
    assert text == "x = 1"
    assert entities == [{"type": "pre", "language": "python", "offset": 0, "length": 5}]


def test_spoilers_and_blockquotes() -> None:
    _, entities = parse_html(
        '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>'
        "<blockquote expandable>c</blockquote>"
    )
    assert [entity["type"] for entity in entities] == [
        "spoiler",
        "spoiler",
        "expandable_blockquote",
    ]


@pytest.mark.parametrize(
    ("markup", "complaint"),
    [
        ("彩礼 < 10万", "Unexpected start of a tag"),
        ("<b>未闭合", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("你<p>", "at byte offset 3"),
        ("</b>", 'Unexpected end tag "b"'),
    ],
)
def test_malformed_markup_is_refused(markup: str, complaint: str) -> None:
    with pytest.raises(FormattingError, match=complaint):
        parse_html(markup)
