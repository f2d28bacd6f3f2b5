"""The question -> cited answer flow, in plain Python: the API, CLI and evaluations all call it.

One pass, each stage once and in order: read the question (assistant/question/), retrieve every
signal (assistant/retrieve/), rank (assistant/rank/), select what to quote (assistant/compose/
quotes.py), decide answered / uncertain / not found (assistant/decide/), compose the reply
(assistant/compose/). No stage calls back into an earlier one; each adds a step to the trace.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.align.aligner import Aligner, align_reply, framework_reply
from assistant.compose.lists import widen_for_lists
from assistant.compose.quotes import Selection, select_among, select_quotes, unsaid_lead_ins
from assistant.compose.render import render
from assistant.decide import Decision, Judges, decide
from assistant.decide.model import ConfidenceModel
from assistant.embedding import Embedder
from assistant.errors import AssistantError
from assistant.index.state import DenseModel
from assistant.index.store import PassageIndex, make_client
from assistant.prompts import phrase
from assistant.question import Query, read_question
from assistant.question.language import Lang, reply_language
from assistant.rank import FusionRanker, Ranker, Retrieval
from assistant.rank.learned import LearnedRanker, RankerModel
from assistant.retrieve import Retriever
from assistant.retrieve.lists import list_of
from assistant.schemas import AlignReply, Answer, Citation, Framework, Turn
from assistant.settings import Settings
from assistant.trace import Trace

log = logging.getLogger(__name__)
_DELTA = re.compile(r"\S+\s*")  # a word and the space after it
WORDS_PER_DELTA = 4


@dataclass
class Explained:
    """An answer with the signals behind it (for evaluation and training) and its trace."""

    answer: Answer
    features: dict[str, float]
    retrieval: Retrieval
    query: Query
    decision: Decision
    trace: Trace


class PlanAssistant:
    """Built once per process (the index is loaded into memory), then asked many times."""

    def __init__(
        self, settings: Settings, embedders: dict[str, Embedder], confidence: ConfidenceModel | None = None
    ) -> None:
        self.settings = settings
        client = make_client(settings)
        models = [
            DenseModel(key, PassageIndex(client, settings.collection_for(key), embedders[key].name), embedders[key])
            for key in settings.embedding_models
        ]
        self.index = models[0].index
        self.retriever = Retriever(models, settings)
        self.ranker: Ranker = (
            LearnedRanker(RankerModel.load(settings.ranker_file), tuple(settings.embedding_models))
            if settings.ranker == "learned"
            else FusionRanker(settings.rrf_k)
        )
        self.aligner = Aligner(models, settings)
        self.judges = Judges(
            ConfidenceModel.load(settings.refusal_file), confidence or ConfidenceModel.load(settings.confidence_file)
        )
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

    def read(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Query:
        """The question read once (language, typos, conversation, what it names and asks for)."""
        state = self.retriever.state
        return read_question(question, history, lang, self.settings, self.retriever.spelled, state.catalog)

    def search(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Retrieval:
        """The passages ranked for a question, best first (no answer composed)."""
        return self.ranker.rank(self.retriever.gather(self.read(question, history, lang)), self._candidates())

    def _candidates(self) -> int:
        return min(self.settings.dense_candidates, self.retriever.state.originals)

    def explain(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Explained:
        """The answer with the signals behind it and the trace of how it was made; `lang` None
        means detect the question's language."""
        trace = Trace()
        query = self.read(question, history, lang)
        trace.add(
            "question",
            f"{query.text!r} ({query.lang}, reply in {query.reply_lang})",
            about=query.about,
            context=[text for text, _ in query.context],
            shown=len(query.shown),
            names=sorted(query.scope.districts | query.scope.documents),
            form=query.form,
        )
        gathered = self.retriever.gather(query)
        trace.add(
            "retrieve",
            f"{len(gathered.rankings)} rankings",
            **{
                name: [gathered.state.passages[p].label for p in order[:3]] for name, order in gathered.rankings.items()
            },
        )
        retrieval = self.ranker.rank(gathered, self._candidates())
        trace.add(
            "rank",
            f"{type(self.ranker).__name__}: {len(retrieval.passages)} passages",
            top=[f"{p.section} ({score:.3f})" for p, score in zip(retrieval.passages[:5], retrieval.scores)],
        )
        selection = self._select(query, retrieval)
        trace.add("select", f"{len(selection.quotes)} passages quoted", quotes=_quoted(selection))
        decision = decide(query, retrieval, selection, self.judges, self.retriever.says, self.retriever.knows)
        trace.add("decide", f"{decision.status}: {decision.reason}", features=decision.features)
        answer = self._compose(query, retrieval, selection, decision)
        trace.add("compose", f"{len(answer.citations)} citations", answer=answer.answer)
        return Explained(answer, decision.features, retrieval, query, decision, trace)

    def _select(self, query: Query, retrieval: Retrieval) -> Selection:
        """What the answer would quote: the best sentences of the best passages, or, for "Which one
        is about parents?", one of the quotes just shown."""
        selection = select_quotes(retrieval, self.settings.max_citations, query.form)
        if query.picks_one and (picked := select_among(retrieval, query.shown, query.form)).quotes:
            return picked
        return selection

    def _compose(self, query: Query, retrieval: Retrieval, selection: Selection, decision: Decision) -> Answer:
        lang = query.reply_lang
        confidence = round(decision.confidence, 4)
        prompts = self.settings.prompts_dir
        if decision.status == "not_found":
            name, where_to_ask = self._where_to_ask(query)
            refusal = phrase(prompts, lang, "refusal", district=name, where_to_ask=where_to_ask)
            return Answer(answer=refusal, lang=lang, status="not_found", grounded=False, confidence=confidence)
        if not query.picks_one:
            state = self.retriever.state
            named = retrieval.named or ([retrieval.referent] if retrieval.referent else [])
            widen_for_lists(query.form, selection, lambda passage: list_of(state, passage, lang), named)
        unsaid_lead_ins(selection)
        lead = "answer_lead" if decision.status == "answered" else "uncertain_lead"
        text, citations = render(selection, prompts, lang, self.settings.public_base_url, lead)
        return Answer(
            answer=text, lang=lang, status=decision.status, grounded=True, confidence=confidence, citations=citations
        )

    def _where_to_ask(self, query: Query) -> tuple[str, str]:
        """The district a refusal speaks for (the one the question names, else this deployment's)
        and where its parents can ask a person, in the reply's language."""
        settings, lang = self.settings, query.reply_lang
        catalog = self.retriever.state.catalog
        fallback = phrase(settings.prompts_dir, lang, "where_to_ask")
        if len(query.scope.districts) == 1 and (named := catalog.district(next(iter(query.scope.districts)))):
            return named.short_name, named.where_to_ask.get(lang) or fallback
        own = catalog.district(settings.district_name or None) or catalog.district()
        name = settings.district_short_name or settings.district_name or (own.short_name if own else "")
        where = settings.where_to_ask.get(lang) or (own.where_to_ask.get(lang) if own else "")
        return name or phrase(settings.prompts_dir, lang, "the_district"), where or fallback

    def ask(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Answer:
        """Answer from the plans' own sentences with citations, or refuse and say where to ask."""
        return self.explain(question, history, lang).answer

    def framework(self) -> Framework:
        """The plan's frameworks, groups and goals, as the documents state them."""
        return Framework(goals=[framework_reply(goal) for goal in self.aligner.framework])

    def align(self, text: str) -> AlignReply:
        """Which goals a proposal serves, how strongly, and the plan's words that say so."""
        return align_reply(self.aligner.align(text), self.settings.public_base_url)


def _quoted(selection: Selection) -> list[str]:
    return [f"{q.passage.label}: {q.passage.units[i]}" for q in selection.quotes for i in q.positions]


def answer_events(answer: Answer) -> Iterator[tuple[str, list[Citation] | str | Answer]]:
    """The answer as a stream: its citations first, then its text a few words at a time, then all
    of it. `/api/ask/stream` sends these as Server-Sent Events; `done` is what `/api/ask` returns.
    """
    yield "citations", answer.citations
    words = _DELTA.findall(answer.answer)
    for start in range(0, len(words), WORDS_PER_DELTA):
        yield "delta", "".join(words[start : start + WORDS_PER_DELTA])
    yield "done", answer
