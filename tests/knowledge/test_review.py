from knowledge.review import TERMS_PER_ARTICLE, review
from knowledge.schema import FaqEntry

LAW_NAMES = {"民法典": "中华人民共和国民法典", "刑法": "中华人民共和国刑法"}
STATUTES = {
    "中华人民共和国民法典": {
        1064: "夫妻双方共同签名或者一方事后追认所负的债务，属于夫妻共同债务。",
        1079: "夫妻一方要求离婚的，可以由有关组织进行调解，也可以直接向人民法院提起离婚诉讼。",
        1080: "完成离婚登记，或者离婚判决书、调解书生效，即解除婚姻关系。",
    }
}


def faq_entry(answer: str, *sources: str) -> FaqEntry:
    return FaqEntry.model_validate(
        {
            "id": "a.one",
            "domain": "婚姻",
            "question": "问题？",
            "alternates": ["问法"],
            "answer": answer,
            "sources": sources,
        }
    )


def test_an_articles_own_words_are_split_by_whether_the_answer_uses_them() -> None:
    entry = faq_entry("都签了字的债，算夫妻共同债务。", "民法典 1064")
    [result] = review([entry], LAW_NAMES, STATUTES)
    [article] = result.articles
    assert str(article.citation) == "民法典 1064"
    assert {"夫妻", "共同", "债务"} <= set(article.used)
    assert "签名" in article.unused
    assert not set(article.used) & set(article.unused)
    assert len(article.used) + len(article.unused) <= TERMS_PER_ARTICLE


def test_a_word_every_article_uses_ranks_below_an_articles_own() -> None:
    statutes = {"中华人民共和国民法典": {1: "依法登记结婚。", 2: "依法离婚。", 3: "依法继承遗产。"}}
    [result] = review([faq_entry("答案。", "民法典 3")], LAW_NAMES, statutes)
    [article] = result.articles
    assert set(article.unused) == {"依法", "继承", "遗产"}
    assert article.unused[-1] == "依法"


def test_whole_laws_and_laws_without_texts_are_left_out() -> None:
    entry = faq_entry("答案。", "民法典", "刑法 258", "民法典 9999", "民法典 1079")
    [result] = review([entry], LAW_NAMES, STATUTES)
    assert [str(a.citation) for a in result.articles] == ["民法典 1079"]
