"""The scorers, checked on toy results whose values are worked out by hand in the comments."""

import pytest

from evals.metrics import (
    answered_right,
    answered_wrong,
    citation_precision,
    document_hit_at_1,
    false_refusal_rate,
    hit_at,
    matches,
    mrr,
    quote_precision,
    refusal_accuracy,
    reliability,
    summarize,
    uncertain_share,
    verbatim_share,
)


def _cite(text: str, section: str = "", verbatim: bool = True) -> dict:
    return {"text": text, "section": section, "verbatim": verbatim}


RESULTS = [
    # q1: right passage first -> rank 1.
    {
        "answerable": True,
        "grounded": True,
        "passages": ["alpha beta"],
        "citations": [_cite("x alpha beta y"), _cite("z")],
    },
    # q2: right passage second (matched through its heading path) -> rank 2.
    {"answerable": True, "grounded": True, "passages": ["Gamma"], "citations": [_cite("no"), _cite("t", "A > Gamma")]},
    # q3: refused although answerable -> miss, and a false refusal.
    {"answerable": True, "grounded": False, "passages": ["delta"], "citations": []},
    # q4: unanswerable and refused -> correct refusal.
    {"answerable": False, "grounded": False, "passages": [], "citations": []},
    # q5: unanswerable but answered, with a non-verbatim citation -> wrong.
    {"answerable": False, "grounded": True, "passages": [], "citations": [_cite("made up", verbatim=False)]},
]


def test_hit_at_k() -> None:
    assert hit_at(RESULTS, 1) == pytest.approx(1 / 3)  # only q1 of the 3 answerable
    assert hit_at(RESULTS, 3) == pytest.approx(2 / 3)  # q1 and q2


def test_document_hit_at_1_asks_whether_the_first_citation_is_from_the_expected_document() -> None:
    rows = [
        # From the expected document, though not the right passage: a document hit.
        {"answerable": True, "doc_id": "goals-2024", "citations": [{"doc_id": "goals-2024"}, {"doc_id": "goals-2023"}]},
        # The expected document only second: a miss.
        {"answerable": True, "doc_id": "goals-2024", "citations": [{"doc_id": "goals-2023"}, {"doc_id": "goals-2024"}]},
        {"answerable": True, "doc_id": "plan", "citations": []},  # refused: a miss
        {"answerable": True, "doc_id": None, "citations": []},  # no expected document: not counted
        {"answerable": False, "doc_id": None, "citations": []},  # unanswerable: not counted
    ]
    assert document_hit_at_1(rows) == pytest.approx(1 / 3)
    assert document_hit_at_1(rows[3:]) == 0.0
    # In the evaluation's summary, for our rows (they carry the reply's language), not the baseline's.
    answered = {"passages": ["x"], "lang": "en", "reply_lang": "en"}
    ours = [
        row | answered | {"grounded": bool(row["citations"]), "citations": [_cite("t") | c for c in row["citations"]]}
        for row in rows
    ]
    assert summarize(ours)["document_hit_at_1"] == pytest.approx(0.3333)
    assert "document_hit_at_1" not in summarize(RESULTS)


def test_mrr() -> None:
    assert mrr(RESULTS) == pytest.approx((1 + 1 / 2 + 0) / 3)


def test_citation_precision() -> None:
    # Answerable questions cite 4 passages (q1: 2, q2: 2); right ones: q1's first, q2's second.
    assert citation_precision(RESULTS) == pytest.approx(2 / 4)


def test_refusals() -> None:
    assert refusal_accuracy(RESULTS) == pytest.approx(1 / 2)  # q4 refused, q5 not
    assert false_refusal_rate(RESULTS) == pytest.approx(1 / 3)  # q3


def test_verbatim_share() -> None:
    assert verbatim_share(RESULTS) == pytest.approx(4 / 5)  # 5 citations, q5's is invented


def test_matching_folds_list_markers_and_spacing_but_not_words() -> None:
    assert matches(_cite("- Life Skills\n1. Students  will develop"), "Students will develop")
    assert not matches(_cite("Students will develop"), "Students will grow")


def test_summary_counts() -> None:
    summary = summarize(RESULTS)
    assert (summary["questions"], summary["answerable"]) == (5, 3)


def test_quote_precision() -> None:
    quoted = [
        # 1 of 2 lines shows the passage (the second is inside it) -> 0.5
        {"answerable": True, "grounded": True, "passages": ["alpha beta gamma"], "quotes": ["zeta", "beta gamma"]},
        # the line holds the passage -> 1.0
        {"answerable": True, "grounded": True, "passages": ["delta"], "quotes": ["the delta line"]},
        # a Spanish answer carries no quotes; a refusal quotes nothing: neither counts
        {"answerable": True, "grounded": True, "passages": ["delta"], "quotes": []},
        {"answerable": True, "grounded": False, "passages": ["delta"], "quotes": []},
    ]
    quoted = [row | {"citations": []} for row in quoted]
    assert quote_precision(quoted) == pytest.approx((0.5 + 1.0) / 2)
    assert summarize(quoted)["quote_precision"] == pytest.approx(0.75)
    assert "quote_precision" not in summarize(RESULTS)  # the baseline quotes nothing


def test_selective_answering_counts_answered_right_and_wrong_among_answerable_questions() -> None:
    # q1 answered at rank 1 -> right; q2 answered, right passage second -> wrong; q3 refused ->
    # neither: of three answerable questions, one answered right and one answered wrong.
    assert answered_right(RESULTS) == pytest.approx(1 / 3)
    assert answered_wrong(RESULTS) == pytest.approx(1 / 3)
    # An uncertain reply shows passages but is not "answered": q2 marked uncertain is no longer wrong.
    marked = [dict(r, status="uncertain") if i == 1 else r for i, r in enumerate(RESULTS)]
    assert answered_wrong(marked) == 0.0 and uncertain_share(marked) == pytest.approx(1 / 5)


def test_reliability_bands_set_the_confidence_given_against_the_share_right() -> None:
    # q1 (right) at 0.95, q2 (wrong first) at 0.91, q4 (unanswerable) at 0.1, q5 (unanswerable) at 0.3.
    confident = [dict(r, confidence=c) for r, c in zip(RESULTS, [0.95, 0.91, 0.0, 0.1, 0.3])]
    bands = {b["band"]: b for b in reliability(confident)}
    assert bands["0.9-1.0"] == {"band": "0.9-1.0", "questions": 2, "predicted": 0.93, "observed": 0.5}
    assert bands["0.0-0.2"]["questions"] == 2 and bands["0.0-0.2"]["observed"] == 0.0
    assert bands["0.2-0.4"] == {"band": "0.2-0.4", "questions": 1, "predicted": 0.3, "observed": 0.0}
