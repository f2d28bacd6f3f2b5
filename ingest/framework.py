"""The plan framework, read from the documents' own structure: frameworks, groups and goals.

A heading whose title names a set of goals (settings.framework_words: "values", "priorities",
"recommendations", "profile", ...) opens a framework. Inside it:
- a subheading is a goal (its paragraphs are its text, its bullets its points), or a group when
  it holds goals of its own;
- a top-level list item with a nested list is a goal ("Life Skills" and its numbered outcomes);
- a paragraph that starts with a numbered label ("Recommendation 3. To meet ...") is a goal;
- what comes before the first goal describes the framework.
A heading repeated on the next page ("PUSD GRADUATE PROFILE") continues the same framework, and
any other heading at the framework's level or above closes it. So a new plan document with
headings and lists yields its goals at ingest, with no code change. Everything is verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from ingest.blocks import Block, SourceDocument, source_link
from ingest.chunker import lead_in_label
from ingest.text_units import split_sentences, word_count

Role = Literal["framework", "group", "goal"]
_NUMBERED_LABEL = re.compile(r"^(?P<label>[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)? \d{1,2})[.:]\s")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


@dataclass(frozen=True)
class Goal:
    """One node of the framework tree, with the verbatim words that define it."""

    goal_id: str  # "strategic-priorities/outstanding-staff"
    role: Role
    title: str  # "Outstanding Staff", "Recommendation 3", "Life Skills"
    framework_id: str
    framework: str  # the framework's heading, verbatim: "STRATEGIC PRIORITIES"
    parent: str | None  # id of the group or framework it sits under; None for a framework
    doc_id: str
    doc_title: str
    page: int | None
    section: str  # heading path, as in passages: "STRATEGIC PRIORITIES > Outstanding Staff"
    url: str  # opens the document at the goal's page (PDF) or section (web page)
    text: tuple[str, ...] = ()  # its own paragraphs (or its item's or labelled paragraph's text)
    points: tuple[str, ...] = ()  # its list items, verbatim

    @cached_property  # read on every /api/align request; computed once per goal
    def statements(self) -> tuple[str, ...]:
        """What a proposal is matched against: the title, then its verbatim paragraphs and points."""
        sentences = [s for paragraph in self.text for s in split_sentences(paragraph) if word_count(s) >= 3]
        return tuple(dict.fromkeys((self.title, *sentences, *self.points)))  # "Life Skills" is title and text


@dataclass
class _Node:
    role: Role
    title: str
    block: Block
    section: tuple[str, ...]
    parent: _Node | None
    text: list[str] = field(default_factory=list)
    points: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


def _is_framework_heading(text: str, words: tuple[str, ...]) -> bool:
    lowered = set(_NOT_SLUG.split(text.lower()))
    return any(word in lowered for word in words)


def _item_title(text: str) -> str:
    return lead_in_label(text) or text


class _Reader:
    """Walks one document's blocks, building framework trees."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        self.frameworks: list[_Node] = []
        self.open: _Node | None = None  # the framework being read
        self.section: _Node | None = None  # its current subheading node
        self.item: _Node | None = None  # the current top-level list item
        self.headings: list[tuple[int, str]] = []
        self.level = 0

    def heading(self, block: Block) -> None:
        self.headings = [h for h in self.headings if h[0] < block.level] + [(block.level, block.text)]
        path = tuple(text for _, text in self.headings)
        self.item = None
        if self.open and block.level > self.level:
            parent = self.open
            if self.section and self.section.block.level < block.level:
                parent = self.section
            self.section = _Node("goal", block.text, block, path, parent)
            parent.children.append(self.section)
            return
        if self.open and block.text == self.open.title:  # the heading repeated on a new page
            self.section = None
            return
        self.open = self.section = None
        if _is_framework_heading(block.text, self.words):
            same = [f for f in self.frameworks if f.title == block.text]
            self.open = same[0] if same else _Node("framework", block.text, block, path, None)
            if not same:
                self.frameworks.append(self.open)
            self.level = block.level

    def body(self, block: Block) -> None:
        if self.open is None:
            return
        owner = self.section or self.open
        labelled = _NUMBERED_LABEL.match(block.text) if block.kind == "paragraph" else None
        if labelled:
            goal = _Node("goal", labelled.group("label"), block, owner.section, owner, [block.text])
            owner.children.append(goal)
            self.item = None
        elif block.kind == "item" and block.level == 0:
            self.item = _Node("goal", _item_title(block.text), block, owner.section, owner, [block.text])
            owner.children.append(self.item)
        elif block.kind == "item" and self.item is not None:
            self.item.points.append(block.text)
        else:
            owner.text.append(block.text)

    def read(self, blocks: tuple[Block, ...]) -> list[_Node]:
        for block in blocks:
            if block.kind == "heading":
                self.heading(block)
            else:
                self.body(block)
        return self.frameworks


def _settle(node: _Node) -> None:
    """Childless top-level items are the points of what holds them; a node holding goals is a group."""
    bullets = [child for child in node.children if child.role == "goal" and not child.children and not child.points]
    items = [child for child in bullets if child.block.kind == "item"]
    if node.role != "framework" and items and len(items) == len(node.children):
        node.points = [child.block.text for child in items]  # "Outstanding Staff" and its bullets
        node.children = []
    else:
        # Items before the first real goal describe what holds them ("This plan sets out ...").
        while node.children and node.children[0] in items:
            node.text.append(node.children.pop(0).block.text)
    for child in node.children:
        _settle(child)
    if node.role == "goal" and node.children:
        node.role = "group"


def _goals(node: _Node, framework: _Node, framework_id: str, doc: SourceDocument, parent_id: str | None) -> list[Goal]:
    goal_id = framework_id if node is framework else f"{framework_id}/{slug(node.title)}"
    section = node.section if node.block.kind == "heading" else (*node.section, node.title)
    goal = Goal(
        goal_id=goal_id,
        role=node.role,
        title=node.title,
        framework_id=framework_id,
        framework=framework.title,
        parent=parent_id,
        doc_id=doc.doc_id,
        doc_title=doc.title,
        page=node.block.page,
        section=" > ".join(section),
        url=source_link(doc.url, node.block.page, node.block.anchor),
        text=tuple(node.text),
        points=tuple(node.points),
    )
    return [goal] + [g for child in node.children for g in _goals(child, framework, framework_id, doc, goal_id)]


def plans_of_goals(documents: list[SourceDocument], kinds: tuple[str, ...]) -> list[SourceDocument]:
    """The documents whose goals staff align proposals with: those of the manifest's `kinds` (a
    strategic plan, an LCAP, board goals ...), not every list in a budget book or a board policy.
    A corpus that gives no document one of those kinds (no manifest, or other kinds) is read whole."""
    plans = [d for d in documents if d.kind in kinds]
    return plans if plans else documents


def extract_framework(
    documents: list[SourceDocument], words: tuple[str, ...], kinds: tuple[str, ...] = ()
) -> list[Goal]:
    """Every framework of the original (untranslated) plans of goals, parents before children."""
    goals: list[Goal] = []
    taken: set[str] = set()
    for document in plans_of_goals(documents, kinds) if kinds else documents:
        if document.translation_of is not None:
            continue
        for framework in _Reader(words).read(document.blocks):
            _settle(framework)
            framework_id = slug(framework.title)
            if framework_id in taken:  # two documents with a "Goals" heading: keep both apart
                framework_id = f"{document.doc_id}-{framework_id}"
            taken.add(framework_id)
            goals += _goals(framework, framework, framework_id, document, None)
    return goals
