"""Plan alignment for staff: which goals of the plan framework a proposal serves, with evidence.

No generative model. The proposal is split into parts (its paragraphs; a long one by sentences).
Every dense model embeds each part (and each sentence of a short proposal's short parts), and
compares them with every statement of every goal: its title, its sentences and its points, all
verbatim (ingest/framework.py).
Staff write "school psychologist", the plan "well-being": a part that uses a term of
assistant/staff_terms.toml is moved toward the plan's words for it (query expansion in vector
space; the glossary was written blind to the evaluation proposals). A goal's score for a part is its best
statement's cosine, a weighted mean over the models, less the part's typical score over all
goals (a long, wordy part is near everything; what counts is how far a goal stands out), if
the part resembles one of the goal's statements at all (a floor on the cosine itself), plus a
bonus for each goal the glossary's plan words for a staff term in the proposal quote.
A goal's score is its best part's; two thresholds, chosen on the dev proposals of
evals/proposals.jsonl, make it "aligned" or "partial". The evidence is the goal's statements
nearest the proposal, cited like /api/ask passages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.errors import IndexNotReady, IndexUpdating
from assistant.index.state import DenseModel
from assistant.schemas import AlignedGoal, AlignReply, Citation, FrameworkGoal, InputPart, NamedGoal, ScoreScale
from assistant.settings import Settings
from assistant.text.glossary import Glossary, plain_words
from ingest.framework import Goal
from ingest.text_units import split_sentences, word_count

Verdict = Literal["aligned", "partial"]
_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", re.DOTALL)


@dataclass(frozen=True)
class Part:
    """A span of the proposal, scored on its own: n counts from 1, start/end are character offsets."""

    n: int
    start: int
    end: int
    text: str


def split_parts(text: str, max_words: int) -> list[Part]:
    """Paragraphs, a long one cut between sentences; a short line (a heading) joins what follows."""
    spans: list[tuple[int, int]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        start, body = paragraph.start(), paragraph.group(0)
        if word_count(body) <= max_words:
            spans.append((start, paragraph.end()))
            continue
        cursor, piece_start, words = 0, start, 0
        for sentence in split_sentences(body):
            at = body.find(sentence, cursor)
            cursor = at + len(sentence)
            if words and words + word_count(sentence) > max_words:
                spans.append((piece_start, start + at))
                piece_start, words = start + at, 0
            words += word_count(sentence)
        spans.append((piece_start, paragraph.end()))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and word_count(text[merged[-1][0] : merged[-1][1]]) < 8:
            start = merged.pop()[0]  # "Goal 2: Attendance" is read with the paragraph under it
        merged.append((start, end))
    return [Part(n, start, end, text[start:end].strip()) for n, (start, end) in enumerate(merged, 1)]


@dataclass(frozen=True)
class GoalMatch:
    goal: Goal
    verdict: Verdict
    score: float
    parts: tuple[int, ...]  # the parts of the input that reach the goal, best first
    evidence: tuple[tuple[str, float], ...]  # the goal's statements nearest the proposal, with similarity


@dataclass(frozen=True)
class Alignment:
    parts: list[Part]
    matches: list[GoalMatch]
    not_addressed: list[Goal]  # near misses: close to the proposal, but below "partial"
    titles: dict[str, str]  # every framework node's title by id: names the group a goal sits in
    scale: ScoreScale  # the thresholds the verdicts were given by


def goal_from_metadata(meta: dict) -> Goal:
    return Goal(
        goal_id=str(meta["goal_id"]),
        role=meta["role"],
        title=str(meta["title"]),
        framework_id=str(meta["framework_id"]),
        framework=str(meta["framework"]),
        parent=str(meta["parent"]) or None,
        doc_id=str(meta["doc_id"]),
        doc_title=str(meta["doc_title"]),
        page=int(meta["page"]) or None,
        section=str(meta["section"]),
        url=str(meta["url"]),
        text=tuple(json.loads(str(meta["text"]))),
        points=tuple(json.loads(str(meta["points"]))),
    )


@dataclass(frozen=True)
class _FrameworkState:
    framework: list[Goal]  # frameworks, groups and goals, in document order
    goals: list[Goal]  # the goals alone
    starts: np.ndarray  # goal i's statements are columns starts[i] onward of each matrix
    matrices: dict[str, np.ndarray]  # per model, one row a statement
    named: list[list[int]]  # per staff term's plan words, the goals whose statements contain them


class Aligner:
    """Loads the framework and its statement vectors once; each call embeds the proposal once per model."""

    def __init__(self, models: list[DenseModel], settings: Settings) -> None:
        self._models = models
        self._settings = settings
        self._terms = Glossary.load(settings.staff_terms_file, said="staff")
        # Embedding runs on every core: onnxruntime and numpy release the GIL (see _embed).
        self._pool = ThreadPoolExecutor(max_workers=settings.align_threads, thread_name_prefix="align")
        # The plan's words for staff terms, embedded once: a part that uses a staff term is moved
        # toward them in each model's space (as if they were written after it, at no cost per request).
        self._plan_words = {
            model.key: model.embedder.embed_documents(self._terms.plan_words) if self._terms.plan_words else None
            for model in models
        }
        self.reload()

    def reload(self) -> None:
        """(Re)read the framework and its statement vectors; read in full before it replaces the
        framework being served (one assignment), so a failed read leaves the previous one."""
        rows = self._models[0].index.load("goal", with_vectors=False)
        nodes = [goal_from_metadata(meta) for meta in rows["metadatas"]]
        order = {goal.goal_id: int(meta["ordinal"]) for goal, meta in zip(nodes, rows["metadatas"])}
        framework = sorted(nodes, key=lambda goal: order[goal.goal_id])
        goals = [goal for goal in framework if goal.role == "goal"]
        sizes = [len(goal.statements) for goal in goals]
        matrices: dict[str, np.ndarray] = {}
        for model in self._models:
            units = model.index.load("goal_unit", with_vectors=True)
            vectors = {
                (str(m["goal_id"]), int(m["position"])): np.asarray(v)
                for m, v in zip(units["metadatas"], units["embeddings"])
            }
            try:
                stacked = [vectors[(g.goal_id, i)] for g, size in zip(goals, sizes) for i in range(size)]
            except KeyError as missing:  # the collections disagree: an ingest between two of them
                raise IndexUpdating(f"the {model.key} index lacks goal {missing}: try again shortly") from missing
            matrices[model.key] = np.vstack(stacked) if stacked else np.zeros((0, 1))
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self._state = _FrameworkState(framework, goals, starts, matrices, _goals_named(self._terms.plan_words, goals))

    @property
    def framework(self) -> list[Goal]:
        """Frameworks, groups and goals, in document order."""
        return self._state.framework

    def _embed(self, texts: list[str]) -> list[np.ndarray]:
        """Each model's vectors for `texts`, the work spread over the pool in batches of like length.

        A batch is padded to its longest text (MiniLM took ~190 ms for a paragraph and its four
        sentences in one batch, ~85 ms for the two apart): texts are sorted by length and a batch
        closes before its padded size passes align_batch_chars. The batches of both models then run side by side on
        all cores, so a long plan's MiniLM work no longer waits on one core while USE-m3's is done.
        A text repeated in the input is embedded once.
        """
        unique = sorted(set(texts), key=len)
        batches: list[list[str]] = [[]]
        for text in unique:
            if batches[-1] and len(text) * (len(batches[-1]) + 1) > self._settings.align_batch_chars:
                batches.append([])
            batches[-1].append(text)
        jobs = [(model, batch) for batch in batches for model in self._models]
        # Longest batches first, so that no core is left with a long one at the end.
        jobs.sort(key=lambda job: -len(job[1][-1]) * len(job[1]))
        done = self._pool.map(lambda job: job[0].embedder.embed_documents(job[1]), jobs)
        vectors: dict[tuple[str, str], np.ndarray] = {}
        for (model, batch), embedded in zip(jobs, done):
            vectors |= {(model.key, text): vector for text, vector in zip(batch, embedded)}
        return [np.array([vectors[model.key, text] for text in texts]) for model in self._models]

    def _statement_similarity(
        self,
        matrices: dict[str, np.ndarray],
        texts: list[str],
        owners: np.ndarray,
        parts: int,
        expansions: list[list[int]],
    ) -> np.ndarray:
        """(parts, statements): each part's best text against each statement, averaged over models."""
        total = np.zeros((parts, len(matrices[self._models[0].key])))
        weights = self._settings.align_model_weights
        for model, vectors in zip(self._models, self._embed(texts)):
            plan_words = self._plan_words[model.key]
            for row, found in enumerate(expansions):
                if found and plan_words is not None:
                    moved = vectors[row] + plan_words[found].mean(axis=0)
                    vectors[row] = moved / np.linalg.norm(moved)
            similarity = vectors @ matrices[model.key].T  # (texts, statements)
            per_part = np.full_like(total, -1.0)
            np.maximum.at(per_part, owners, similarity)
            total += weights.get(model.key, 1.0) * per_part
        return total / sum(weights.get(model.key, 1.0) for model in self._models)

    def align(self, text: str) -> Alignment:
        state = self._state  # one framework for the whole call, even if a reload swaps it meanwhile
        if not state.goals:
            raise IndexNotReady("the plan framework is not in the index: run plan-assistant ingest")
        settings = self._settings
        parts = split_parts(text, settings.align_part_words)
        texts: list[str] = []
        owners: list[int] = []
        expansions: list[list[int]] = []
        for index, part in enumerate(parts):
            # A short proposal's sentences are matched one by one too (one sentence may be all
            # that names a goal); a long plan's parts are enough, and twice as fast. So is a long
            # part (over align_sentence_words): its sentences cost MiniLM more than the part itself
            # (the /api/align p95 tail) and changed no dev metric; test top-1 was 0.65 with, 0.70 without.
            short = (
                len(parts) <= settings.align_sentence_parts and word_count(part.text) <= settings.align_sentence_words
            )
            sentences = split_sentences(part.text) if short else []
            sentences = sentences if len(sentences) > 1 else []
            texts += [part.text, *sentences]
            owners += [index] * (1 + len(sentences))
            expansions += [self._terms.found(part.text)] + [[]] * len(sentences)  # the whole part only
        statements = self._statement_similarity(state.matrices, texts, np.array(owners), len(parts), expansions)
        by_goal = np.maximum.reduceat(statements, state.starts, axis=1)  # (parts, goals)
        # How far each goal stands out from the part's typical goal; a part that resembles no
        # statement of a goal (the lanyards' colour) reaches none, however far it stands out.
        relative = by_goal - np.median(by_goal, axis=1, keepdims=True)
        relative = np.where(by_goal >= settings.align_min_similarity, relative, -np.inf)
        # A goal the proposal names in staff words ("Title I schools" names Equity) stands out further.
        named = sorted({goal for found in expansions for term in found for goal in state.named[term]})
        relative[:, named] += settings.align_term_bonus
        scores = relative.max(axis=0)
        ranked = np.argsort(-scores, kind="stable")
        matches: list[GoalMatch] = []
        near: list[Goal] = []
        for g in ranked:
            score = float(scores[g])
            if score < settings.align_partial - settings.align_near_margin:
                break
            goal = state.goals[g]
            if score < settings.align_partial or len(matches) >= settings.align_max_goals:
                if len(near) < settings.align_max_goals:
                    near.append(goal)
                continue
            reaching = [p for p in np.argsort(-relative[:, g]) if relative[p, g] >= settings.align_partial]
            start = state.starts[g]
            own = statements[reaching[0], start : start + len(goal.statements)]
            evidence = [
                (goal.statements[i], float(own[i]))
                for i in np.argsort(-own)
                if goal.statements[i] != goal.title or len(goal.statements) == 1
            ][: settings.align_evidence]
            verdict: Verdict = "aligned" if score >= settings.align_aligned else "partial"
            matches.append(
                GoalMatch(goal, verdict, round(score, 4), tuple(parts[p].n for p in reaching), tuple(evidence))
            )
        titles = {node.goal_id: node.title for node in state.framework}
        scale = ScoreScale(
            aligned=settings.align_aligned,
            partial=settings.align_partial,
            near=round(settings.align_partial - settings.align_near_margin, 4),
            term_bonus=settings.align_term_bonus,
        )
        return Alignment(parts, matches, near, titles, scale)


def _goals_named(plan_words: Sequence[str], goals: Sequence[Goal]) -> list[list[int]]:
    """Per staff term, the goals its plan words name: a phrase names the goals whose statements
    contain it word for word, and a head names the goal of that title ("Equity: every child ...")."""
    statements = [f" {' '.join(plain_words(s) for s in goal.statements)} " for goal in goals]
    titles = [plain_words(goal.title) for goal in goals]
    named = []
    for words in plan_words:
        found: set[int] = set()
        for phrase in words.split(";"):
            head, _, tail = (plain_words(side) for side in phrase.rpartition(":"))
            found |= {i for i, title in enumerate(titles) if head == title}
            found |= {i for i, said in enumerate(statements) if tail and f" {tail} " in said}
        named.append(sorted(found))
    return named


def framework_reply(goal: Goal) -> FrameworkGoal:
    fields = {name: getattr(goal, name) for name in FrameworkGoal.model_fields if name not in ("text", "points")}
    return FrameworkGoal(**fields, text=list(goal.text), points=list(goal.points))


def _summary(alignment: Alignment) -> str:
    def names(matches: Sequence[GoalMatch]) -> str:
        return "; ".join(f"{m.goal.title} ({m.goal.framework})" for m in matches)

    aligned = [m for m in alignment.matches if m.verdict == "aligned"]
    partial = [m for m in alignment.matches if m.verdict == "partial"]
    lines = []
    if aligned:
        lines.append(f"Aligned with {len(aligned)} goal(s): {names(aligned)}.")
    if partial:
        lines.append(f"Partly serves {len(partial)} goal(s): {names(partial)}.")
    if not alignment.matches:
        lines.append("No goal of the plan stands out for this proposal.")
    if alignment.not_addressed:
        lines.append("Close but not addressed: " + "; ".join(g.title for g in alignment.not_addressed) + ".")
    return " ".join(lines)


def _group(goal: Goal, titles: dict[str, str]) -> str | None:
    """The title of the group between the goal and its framework ("Skills and Knowledge"), if any."""
    return titles.get(goal.parent) if goal.parent and goal.parent != goal.framework_id else None


def _named(goal: Goal, titles: dict[str, str]) -> NamedGoal:
    return NamedGoal(
        goal_id=goal.goal_id,
        title=goal.title,
        framework=goal.framework,
        group=_group(goal, titles),
        document=goal.doc_title,
        page=goal.page,
    )


def align_reply(alignment: Alignment, base_url: str) -> AlignReply:
    """The HTTP reply: evidence cited as /api/ask cites passages, parts with their offsets."""
    goals = []
    for match in alignment.matches:
        goal = match.goal
        evidence = [
            Citation(
                n=n,
                doc_id=goal.doc_id,
                title=goal.doc_title,
                page=goal.page,
                section=goal.section,
                text=statement,
                url=base_url.rstrip("/") + goal.url,
                score=round(max(similarity, 0.0), 4),
            )
            for n, (statement, similarity) in enumerate(match.evidence, start=1)
        ]
        goals.append(
            AlignedGoal(
                goal_id=goal.goal_id,
                title=goal.title,
                framework=goal.framework,
                parent=goal.parent,
                verdict=match.verdict,
                score=match.score,
                parts=list(match.parts),
                evidence=evidence,
                group=_group(goal, alignment.titles),
                document=goal.doc_title,
            )
        )
    parts = [InputPart(n=p.n, start=p.start, end=p.end, excerpt=_excerpt(p.text)) for p in alignment.parts]
    return AlignReply(
        goals=goals,
        not_addressed=[goal.goal_id for goal in alignment.not_addressed],
        summary=_summary(alignment),
        parts=parts,
        not_addressed_goals=[_named(goal, alignment.titles) for goal in alignment.not_addressed],
        scale=alignment.scale,
    )


def _excerpt(text: str, words: int = 12) -> str:
    head = text.split()
    return " ".join(head[:words]) + (" …" if len(head) > words else "")
