"""A plan library of about N pages for bench/bench_scale.py, built deterministically from a seed.

The material is the training districts' Markdown sources (training/districts/*/*.md: strategic
plans, LCAPs with their action tables, board goals, graduate profiles, wellness and technology
plans, Spanish translations), published by scripts/build_districts.py in the shape each source
names (a PDF with a running header and a page footer, a web page, a Word file, Markdown). Each
copy of the set belongs to a made-up district: the source district's names are replaced by the
copy's, and every number is moved by an amount drawn from the copy's seed (the same in a
translation as in its original, so the two still chunk alike). One more document is a plan of
about 50 printed pages (several plans bound together under one title): `change_big_document`
publishes its next edition, where every number differs, for the re-ingest after one change.

A page is a printed page for a PDF and 400 words for the other shapes (the sources' PDFs hold
about 380 words a page).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build_districts as publish  # noqa: E402

SOURCES = ROOT / "training" / "districts"
WORDS_PER_PAGE = 400
BIG_DOC_PAGES = 50
BIG_DOC_ID = "county-plans-compendium"
PLACES = (
    "Ashford", "Birch Hollow", "Cedar Point", "Dunmore", "Elk Ridge", "Fairhaven", "Glen Oaks", "Harlow",
    "Iron Gate", "Jasper Falls", "Kingsbury", "Larkspur", "Millbrook", "Norwood", "Oak Harbor", "Pine Bluff",
    "Quarry Hill", "Riverton", "Silver Lake", "Thornfield", "Upland Mesa", "Vista Grande", "Westbrook", "Yarrow",
)  # fmt: skip
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")


@dataclass(frozen=True)
class Source:
    path: Path
    facts: dict[str, str]
    body: str
    district: dict

    @property
    def pages(self) -> int:
        if self.facts.get("publish_as") == "pdf":
            return self.body.count(publish.PAGE_BREAK) + 1
        return max(1, round(len(self.body.split()) / WORDS_PER_PAGE))


def read_sources() -> list[Source]:
    sources = []
    for folder in sorted(p for p in SOURCES.iterdir() if (p / "district.json").is_file()):
        district = json.loads((folder / "district.json").read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.md")):
            facts, body = publish.read_source(path)
            sources.append(Source(path, facts, body, district))
    return sources


def _renumber(text: str, seed: str) -> str:
    """Every number moved by an amount that depends on the seed and the number (so the same number
    in a translation moves alike); years stay years, so the text still reads as a plan."""

    def moved(match: re.Match[str]) -> str:
        value = match.group(0)
        step = int(hashlib.sha256(f"{seed}:{value}".encode()).hexdigest()[:6], 16) % 7 + 1
        if "." in value:
            return f"{float(value) + step / 10:.{len(value.split('.')[1])}f}"
        return str(int(value) + step)

    return NUMBER.sub(moved, text)


def _rename(text: str, old: dict, new_name: str, short: str) -> str:
    text = text.replace(old["name"], new_name)
    for name in sorted(old.get("short_names", []), key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", short, text)
    return text


def _district(index: int) -> dict:
    place = PLACES[index % len(PLACES)] + (f" {index // len(PLACES) + 1}" if index >= len(PLACES) else "")
    name = f"{place} Unified School District"
    return {
        "name": name,
        "short_names": [place, f"{place} Unified"],
        "where_to_ask": {"en": f"Call {name} at (555) 555-0100.", "es": f"Llame a {name} al (555) 555-0100."},
    }


def _publish(facts: dict[str, str], body: str, district: str, folder: Path) -> str:
    """Write the document in its shape; a PDF whose changed numbers overflow a page becomes a web page."""
    shape = facts.get("publish_as", "md")
    target = folder / f"{facts['doc_id']}{publish.EXTENSIONS[shape]}"
    try:
        publish.BUILDERS[shape](facts, body, district, target)
    except SystemExit:
        target.unlink(missing_ok=True)
        target = folder / f"{facts['doc_id']}.html"
        publish.build_html(facts, body, district, target)
    return target.name


def _entry(facts: dict[str, str], file: str, district: str) -> dict:
    entry = {
        "doc_id": facts["doc_id"],
        "title": facts["title"],
        "kind": facts.get("kind", "other"),
        "edition": facts.get("edition", ""),
        "file": file,
        "language": facts.get("language", "en"),
        "district": district,
    }
    if facts.get("translation_of"):
        entry |= {"translation_of": facts["translation_of"], "label": facts.get("label", publish.SPANISH_LABEL)}
    return entry


def _big_document(sources: list[Source], edition: int) -> tuple[dict[str, str], str]:
    """About 50 printed pages: the PDF sources bound together, numbered for the edition."""
    pdfs = [s for s in sources if s.facts.get("publish_as") == "pdf" and not s.facts.get("translation_of")]
    parts, pages = [], 0
    while pages < BIG_DOC_PAGES:
        source = pdfs[len(parts) % len(pdfs)]
        body = _rename(source.body, source.district, "Tri-County Schools", "Tri-County")
        body = re.sub(r"^(#{1,5}) ", r"#\1 ", body, flags=re.MULTILINE)  # one level under the part's heading
        parts.append(f"# Part {len(parts) + 1}: {source.facts['title']}\n\n" + body.strip())
        pages += source.pages
    body = f"\n\n{publish.PAGE_BREAK}\n\n".join(parts)
    title = f"Tri-County Schools Plan Compendium, Edition {edition}"
    facts = {"doc_id": BIG_DOC_ID, "title": title, "kind": "strategic-plan", "edition": str(2024 + edition)}
    facts |= {"publish_as": "pdf", "running_header": title.upper(), "language": "en"}
    return facts, _renumber(body, f"edition-{edition}")


def build_corpus(folder: Path, pages: int, seed: int = 7) -> dict:
    """Publish about `pages` pages into `folder` with its manifest.json; returns a summary."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = read_sources()
    by_id = {s.facts["doc_id"]: s for s in sources}
    rng = random.Random(seed)
    big_facts, big_body = _big_document(sources, edition=1)
    big_district = {"name": "Tri-County Schools", "short_names": ["Tri-County"], "where_to_ask": {}}
    entries = [_entry(big_facts, _publish(big_facts, big_body, big_district["name"], folder), big_district["name"])]
    districts, total = [big_district], BIG_DOC_PAGES
    copy = 0
    while total < pages:
        district = _district(copy)
        districts.append(district)
        order = [s for s in sources if not s.facts.get("translation_of")]
        rng.shuffle(order)  # which documents a small library holds varies with the seed
        for source in order:
            translations = [s for s in sources if s.facts.get("translation_of") == source.facts["doc_id"]]
            for document in [source, *translations]:
                facts = dict(document.facts)
                facts["doc_id"] = f"{facts['doc_id']}-c{copy}"
                if facts.get("translation_of"):
                    facts["translation_of"] = f"{facts['translation_of']}-c{copy}"
                short = district["short_names"][0]
                old = by_id[document.facts["doc_id"]].district
                facts["title"] = _rename(facts["title"], old, district["name"], short)
                facts["running_header"] = _rename(facts.get("running_header", ""), old, district["name"], short)
                body = _renumber(_rename(document.body, old, district["name"], short), f"{seed}-{copy}")
                file = _publish(facts, body, district["name"], folder)
                entries.append(_entry(facts, file, district["name"]))
                total += document.pages
            if total >= pages:
                break
        copy += 1
    manifest = {"districts": districts, "documents": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    words = sum(len(p.read_bytes()) for p in folder.iterdir())
    return {"pages": total, "documents": len(entries), "districts": len(districts), "bytes": words}


def change_big_document(folder: Path) -> str:
    """Publish the 50-page document's next edition in place (every number on every page differs)."""
    facts, body = _big_document(read_sources(), edition=2)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    file = _publish(facts, body, "Tri-County Schools", folder)
    for entry in manifest["documents"]:
        if entry["doc_id"] == BIG_DOC_ID:
            entry |= {"title": facts["title"], "edition": facts["edition"], "file": file}
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return file
