"""Pure metric functions over plain dicts (no I/O, no models), so they can be checked by hand.

A result is {"answerable": bool, "grounded": bool, "passages": [expected verbatim strings],
"citations": [{"section": str, "text": str, "verbatim": bool}, ...]} in ranked order.
"""

from __future__ import annotations

from collections.abc import Sequence

from ingest.text_units import normalize_for_match


def matches(citation: dict, passage: str) -> bool:
    """A citation shows an expected passage if the passage's words appear in its heading path or text."""
    shown = normalize_for_match(citation.get("section", "")) + " " + normalize_for_match(citation["text"])
    return normalize_for_match(passage) in shown


def first_hit_rank(result: dict) -> int | None:
    """1-based rank of the first citation showing any expected passage; None if none does."""
    for rank, citation in enumerate(result["citations"], start=1):
        if any(matches(citation, passage) for passage in result["passages"]):
            return rank
    return None


def _answerable(results: Sequence[dict]) -> list[dict]:
    return [r for r in results if r["answerable"]]


def hit_at(results: Sequence[dict], k: int) -> float:
    """Share of answerable questions with an expected passage among the first k citations."""
    pool = _answerable(results)
    hits = [rank for r in pool if (rank := first_hit_rank(r)) is not None and rank <= k]
    return len(hits) / len(pool) if pool else 0.0


def document_hit_at_1(results: Sequence[dict]) -> float:
    """Share of answerable questions whose first citation is from the document the expected passages
    are in: for a question that names a document, whether it was answered from it."""
    pool = [r for r in _answerable(results) if r.get("doc_id")]
    return (
        sum(bool(r["citations"]) and r["citations"][0].get("doc_id") == r["doc_id"] for r in pool) / len(pool)
        if pool
        else 0.0
    )


def mrr(results: Sequence[dict]) -> float:
    """Mean reciprocal rank of the first right citation (0 for a miss), over answerable questions."""
    pool = _answerable(results)
    return sum(1 / rank for r in pool if (rank := first_hit_rank(r))) / len(pool) if pool else 0.0


def citation_precision(results: Sequence[dict]) -> float:
    """Share of citations given for answerable questions that show an expected passage."""
    cited = [(c, r["passages"]) for r in _answerable(results) for c in r["citations"]]
    return sum(any(matches(c, p) for p in ps) for c, ps in cited) / len(cited) if cited else 0.0


def quote_precision(results: Sequence[dict]) -> float:
    """Share of the lines an answer quotes that show an expected passage (a line inside one, or
    one inside the line), averaged over answered questions; only answers that quote the plans'
    English carry "quotes" (a Spanish answer quotes the translation). What a parent reads that
    is not the answer lowers it."""
    pool = [r for r in _answerable(results) if r["grounded"] and r.get("quotes")]

    def shows(quote: str, passages: Sequence[str]) -> bool:
        said = normalize_for_match(quote)
        return any(normalize_for_match(p) in said or said in normalize_for_match(p) for p in passages)

    shares = [sum(shows(q, r["passages"]) for q in r["quotes"]) / len(r["quotes"]) for r in pool]
    return sum(shares) / len(shares) if shares else 0.0


def refusal_accuracy(results: Sequence[dict]) -> float:
    """Share of unanswerable questions refused (grounded false, nothing cited)."""
    pool = [r for r in results if not r["answerable"]]
    return sum(not r["grounded"] and not r["citations"] for r in pool) / len(pool) if pool else 0.0


def false_refusal_rate(results: Sequence[dict]) -> float:
    """Share of answerable questions refused."""
    pool = _answerable(results)
    return sum(not r["grounded"] for r in pool) / len(pool) if pool else 0.0


def verbatim_share(results: Sequence[dict]) -> float:
    """Share of all citations whose text is verbatim from the document at the cited page."""
    cited = [c for r in results for c in r["citations"]]
    return sum(bool(c["verbatim"]) for c in cited) / len(cited) if cited else 1.0


def reply_language_match(results: Sequence[dict]) -> float:
    """Share of questions answered in the language they were asked in."""
    return sum(r["reply_lang"] == r["lang"] for r in results) / len(results) if results else 1.0


def translation_verbatim_share(results: Sequence[dict]) -> float:
    """Share of translations shown beside citations that are verbatim from the translated document."""
    shown = [
        c["translation_verbatim"] for r in results for c in r["citations"] if c.get("translation_verbatim") is not None
    ]
    return sum(bool(v) for v in shown) / len(shown) if shown else 1.0


def _status(result: dict) -> str:
    """The reply's status; the baseline, which never refuses, answers everything."""
    return str(result.get("status") or ("answered" if result["grounded"] else "not_found"))


def answered_right(results: Sequence[dict]) -> float:
    """Share of answerable questions answered (status answered) with a right first citation."""
    pool = _answerable(results)
    return sum(_status(r) == "answered" and first_hit_rank(r) == 1 for r in pool) / len(pool) if pool else 0.0


def answered_wrong(results: Sequence[dict]) -> float:
    """Share of answerable questions answered (status answered) with a wrong first citation."""
    pool = _answerable(results)
    return sum(_status(r) == "answered" and first_hit_rank(r) != 1 for r in pool) / len(pool) if pool else 0.0


def uncertain_share(results: Sequence[dict]) -> float:
    """Share of all questions given the closest passages marked as perhaps not answering."""
    return sum(_status(r) == "uncertain" for r in results) / len(results) if results else 0.0


RELIABILITY_BANDS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 0.9), (0.9, 1.0))


def reliability(results: Sequence[dict]) -> list[dict[str, float | int | str]]:
    """By band of confidence: how many questions, the mean confidence given, and the share whose
    first citation is right (a question the plans cannot answer is never answered right)."""
    bands = []
    for low, high in RELIABILITY_BANDS:
        inside = [r for r in results if low <= r["confidence"] < high or (high == 1.0 and r["confidence"] == 1.0)]
        if inside:
            right = sum(r["answerable"] and first_hit_rank(r) == 1 for r in inside)
            bands.append(
                {
                    "band": f"{low:.1f}-{high:.1f}",
                    "questions": len(inside),
                    "predicted": round(sum(r["confidence"] for r in inside) / len(inside), 4),
                    "observed": round(right / len(inside), 4),
                }
            )
    return bands


def summarize(results: Sequence[dict]) -> dict[str, float | int]:
    # The baseline has no reply language or translations: those metrics are ours alone.
    ours_only = (
        {
            "reply_lang_match": round(reply_language_match(results), 4),
            "translation_verbatim_share": round(translation_verbatim_share(results), 4),
            "document_hit_at_1": round(document_hit_at_1(results), 4),
        }
        if all("reply_lang" in r for r in results)
        else {}
    )
    if any(r.get("quotes") for r in results):
        ours_only["quote_precision"] = round(quote_precision(results), 4)
    return ours_only | {
        "questions": len(results),
        "answerable": len(_answerable(results)),
        "hit_at_1": round(hit_at(results, 1), 4),
        "hit_at_3": round(hit_at(results, 3), 4),
        "mrr": round(mrr(results), 4),
        "citation_precision": round(citation_precision(results), 4),
        "refusal_accuracy": round(refusal_accuracy(results), 4),
        "false_refusal_rate": round(false_refusal_rate(results), 4),
        "verbatim_share": round(verbatim_share(results), 4),
        "answered_right": round(answered_right(results), 4),
        "answered_wrong": round(answered_wrong(results), 4),
        "uncertain_share": round(uncertain_share(results), 4),
    }
