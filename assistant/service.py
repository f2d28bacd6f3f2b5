"""The question -> cited answer flow, in plain Python: the API, CLI and evaluations all call it."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.align.aligner import Aligner, align_reply, framework_reply
from assistant.compose.answer import render, select_among, select_quotes, widen_for_lists
from assistant.decide.confidence import Calibration
from assistant.decide.guard import (
    answer_type_found,
    asks_for_what_the_plans_never_name,
    is_instruction,
    names_an_unknown_subject,
    names_what_the_plans_lack,
    outside_the_plans,
)
from assistant.embedding import Embedder
from assistant.errors import AssistantError
from assistant.index.store import PassageIndex, make_client
from assistant.prompts import phrase
from assistant.question.conversation import asks_which_of_them, conversation_context, shown_quotes
from assistant.question.language import Lang, reply_language
from assistant.retrieve.hybrid import DenseModel, HybridRetriever, Retrieval
from assistant.schemas import AlignReply, Answer, Citation, Framework, Turn
from assistant.settings import Settings

log = logging.getLogger(__name__)
_DELTA = re.compile(r"\S+\s*")  # a word and the space after it
WORDS_PER_DELTA = 4


@dataclass
class Explained:
    """An answer with the signals behind it (for evaluation and calibration)."""

    answer: Answer
    features: dict[str, float]
    retrieval: Retrieval


class PlanAssistant:
    """Built once per process (the index is loaded into memory), then asked many times."""

    def __init__(
        self, settings: Settings, embedders: dict[str, Embedder], calibration: Calibration | None = None
    ) -> None:
        self.settings = settings
        client = make_client(settings)
        models = [
            DenseModel(key, PassageIndex(client, settings.collection_for(key), embedders[key].name), embedders[key])
            for key in settings.embedding_models
        ]
        self.index = models[0].index
        self.retriever = HybridRetriever(models, settings)
        self.aligner = Aligner(models, settings)
        self.calibration = calibration or Calibration.load(settings.calibration_file)
        reply_language("warm up the language models")  # at start-up, not on a parent's question
        for language in ("en", "es"):
            self.retriever.spelled("warm up the dictionaries", language)
        self._checked_at = time.monotonic()

    def refresh_if_changed(self) -> bool:
        """Pick up a re-ingest done by another process, looking at most every refresh_seconds."""
        now = time.monotonic()
        if now - self._checked_at < self.settings.refresh_seconds:
            return False
        self._checked_at = now
        try:
            if self.index.fingerprint() == self.retriever.fingerprint:
                return False
            # The retriever last: its fingerprint is what the check above compares, so if either
            # read fails, the next look finds the index still changed and reads both again.
            self.aligner.reload()
            self.retriever.reload()
        except AssistantError as error:
            # An ingest half done, or the store out of reach: the index read before keeps serving
            # (it is all in memory), and the next look may find the new one whole.
            log.warning("index not reloaded, serving the previous one: %s", error.message)
            return False
        return True

    def explain(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Explained:
        """The answer with the signals behind it; `lang` None means detect the question's language."""
        written = reply_language(question, history)  # what retrieval matches the question in
        lang = lang or written
        question = self.retriever.spelled(question, written)  # "stratgic priorites" -> "strategic priorities"
        settings = self.settings
        context = conversation_context(
            question, history, settings.history_weight, settings.history_turns, settings.new_topic_share
        )
        shown = shown_quotes(question, history)
        # "Which one is about parents?" after a list picks one of the quotes just shown; the one
        # the answer led with is no better a candidate than the others.
        picked_one = bool(shown) and asks_which_of_them(question)
        led = () if picked_one else shown
        retrieval = self.retriever.search(question, written, context, reply_lang=lang, shown=led)
        selection = select_quotes(retrieval, settings.max_citations, question)
        if picked_one and (picked := select_among(retrieval, shown, question)).quotes:
            selection = picked
        top = retrieval.passages[0] if retrieval.passages else None
        keywords = retrieval.keywords
        asked = retrieval.question_terms + retrieval.context_terms
        features = {
            "dense_top": max((p.dense for p in retrieval.passages[:3]), default=0.0),
            "unit_top": selection.best_unit_similarity,
            "coverage_corpus": keywords.coverage(asked),
            "coverage_top": keywords.coverage(asked, top.terms) if top else 0.0,
        }
        # What the answer quotes, in the plans' words and, where a translation pairs with them, in
        # the reader's: "¿Cuántas recomendaciones?" is answered by "siete recomendaciones".
        quoted = [unit for q in selection.quotes for i in q.positions for unit in q.passage.renderings(i)]
        confidence = self.calibration.probability(features)
        if (
            is_instruction(question)
            or outside_the_plans(question, self.retriever.says)
            or names_an_unknown_subject(question, keywords.uses)
            or not answer_type_found(question, quoted)
            or names_what_the_plans_lack(question, self.retriever.knows)
            or asks_for_what_the_plans_never_name(question, keywords.uses, self.retriever.knows)
        ):
            confidence = 0.0  # a rule, not a score: see assistant/guard.py
        if confidence < self.calibration.threshold or not selection.quotes:
            answer = Answer(
                answer=phrase(self.settings.prompts_dir, lang, "refusal"),
                lang=lang,
                status="not_found",
                grounded=False,
                confidence=round(confidence, 4),
                citations=[],
            )
        else:
            if not picked_one:
                widen_for_lists(
                    question,
                    selection,
                    lambda passage: self.retriever.list_of(passage, lang),
                    retrieval.named or ([retrieval.referent] if retrieval.referent else []),
                )
            text, citations = render(selection, self.settings.prompts_dir, lang, self.settings.public_base_url)
            answer = Answer(
                answer=text,
                lang=lang,
                status="answered",
                grounded=True,
                confidence=round(confidence, 4),
                citations=citations,
            )
        return Explained(answer, features, retrieval)

    def ask(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Answer:
        """Answer from the plans' own sentences with citations, or refuse and say where to ask."""
        return self.explain(question, history, lang).answer

    def framework(self) -> Framework:
        """The plan's frameworks, groups and goals, as the documents state them."""
        return Framework(goals=[framework_reply(goal) for goal in self.aligner.framework])

    def align(self, text: str) -> AlignReply:
        """Which goals a proposal serves, how strongly, and the plan's words that say so."""
        return align_reply(self.aligner.align(text), self.settings.public_base_url)


def answer_events(answer: Answer) -> Iterator[tuple[str, list[Citation] | str | Answer]]:
    """The answer as a stream: its citations first, then its text a few words at a time, then all
    of it. `/api/ask/stream` sends these as Server-Sent Events; `done` is what `/api/ask` returns.
    """
    yield "citations", answer.citations
    words = _DELTA.findall(answer.answer)
    for start in range(0, len(words), WORDS_PER_DELTA):
        yield "delta", "".join(words[start : start + WORDS_PER_DELTA])
    yield "done", answer
