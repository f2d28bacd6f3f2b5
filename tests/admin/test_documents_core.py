"""The admin area's plain-Python parts, without a server: what a file is, how the corpus folder and
its manifest change, the password hash and the sign-in cookie's expiry."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.admin.auth import AdminAuth
from assistant.admin.documents import Documents, EntryFields, sniff
from assistant.admin.documents_api import document_rows
from assistant.admin.ingest_jobs import IngestStatus
from assistant.admin.passwords import hash_password, verify_password
from assistant.errors import (
    AdminTokenMissing,
    AdminTokenRejected,
    DocumentConflict,
    DocumentNotFound,
    InvalidDocumentEntry,
    UnreadableDocument,
    UnsupportedDocumentType,
)
from ingest.corpus import load_corpus, read_corpus_manifest
from tests.admin.conftest import small_corpus
from tests.admin.plans import plan_pdf
from tests.conftest import make_settings


@pytest.fixture
def documents(tmp_path: Path) -> Documents:
    return Documents(make_settings(tmp_path / "data", small_corpus(tmp_path / "corpus")))


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_file_is_known_by_its_content_and_its_name_must_agree() -> None:
    assert sniff(plan_pdf("Plan", {"A": "Text."}), "plan.pdf") == "pdf"
    assert sniff(plan_pdf("Plan", {"A": "Text."}), "upload") == "pdf"  # no ending: the content decides
    assert sniff(b"# Plan\n\nText.\n", "plan.md") == "markdown"
    assert sniff(b"<!DOCTYPE html><html><body><h1>Plan</h1></body></html>", "page") == "html"
    assert sniff(_zip({"word/document.xml": b"<w:document/>"}), "plan.docx") == "docx"
    refused = {
        "plan.md": plan_pdf("Plan", {"A": "Text."}),  # a PDF named as Markdown
        "plan.pdf": b"# Plan\n",  # text named as a PDF
        "plan.docx": _zip({"notes.txt": b"hello"}),  # a zip, not a Word document
        "plan.exe": b"MZ\x90\x00",
        "plan.txt.bin": "café".encode("latin-1"),  # not UTF-8
    }
    for name, data in refused.items():
        with pytest.raises(UnsupportedDocumentType):
            sniff(data, name)
    bomb = _zip({"word/document.xml": b"<w:document/>", "word/media/zeros.bin": b"\0" * 201_000_000})
    with pytest.raises(UnreadableDocument):
        sniff(bomb, "plan.docx")


def test_adding_editing_replacing_and_removing_keep_manifest_and_folder_in_step(documents: Documents) -> None:
    district = read_corpus_manifest(documents.folder).district
    fields = EntryFields(title="  Garden   Plan ", edition="2026")
    added = documents.add(
        "Garden Plan!.md", b"# Garden Plan\n\n## Beds\n\nEvery school plants beds.\n", "markdown", fields
    )
    assert (added.doc_id, added.file, added.title, added.kind) == (
        "garden-plan",
        "garden-plan.md",
        "Garden Plan",
        "plan",
    )
    with pytest.raises(DocumentConflict):
        documents.add("garden plan.md", b"# Other\n", "markdown", EntryFields(title="Other"))

    spanish = EntryFields(title="Plan de jardines", language="es", translation_of="garden-plan")
    documents.add("garden-plan-es.md", b"# Plan de jardines\n\n## Camas\n\nCada escuela.\n", "markdown", spanish)
    with pytest.raises(InvalidDocumentEntry):
        documents.edit("arts.md", EntryFields(title="Arts", translation_of="no-such-plan"))
    with pytest.raises(InvalidDocumentEntry):
        documents.edit("arts.md", EntryFields(title="Arts", translation_of="arts"))
    with pytest.raises(DocumentConflict):  # its translation would be left without its original
        documents.remove("garden-plan.md")

    edited = documents.edit("arts.md", EntryFields(title="Arts and Music", edition="2025"))
    assert (edited.title, edited.edition, edited.doc_id) == ("Arts and Music", "2025", "arts")
    replaced = documents.replace(
        "garden-plan.md", plan_pdf("Garden Plan", {"Beds": "Every school plants beds."}), "pdf"
    )
    assert replaced.file == "garden-plan.pdf" and replaced.title == "Garden Plan"
    assert not (documents.folder / "garden-plan.md").exists()

    manifest = read_corpus_manifest(documents.folder)
    assert manifest.district == district  # the rest of the manifest is kept
    files = {entry.file for entry in manifest.documents}
    assert files == {"school-meals.md", "arts.md", "garden-plan.pdf", "garden-plan-es.md"} == set(documents.files())
    loaded = {document.doc_id: document for document in load_corpus(documents.folder)}  # as the ingest reads it
    assert loaded["garden-plan-es"].translation_of == "garden-plan" and loaded["arts"].title == "Arts and Music"
    raw = json.loads((documents.folder / "manifest.json").read_text(encoding="utf-8"))
    assert "label" not in raw["documents"][0] and "translation_of" not in raw["documents"][0]

    documents.remove("garden-plan-es.md")
    documents.remove("garden-plan.pdf")
    assert sorted(p.name for p in documents.folder.iterdir()) == ["arts.md", "manifest.json", "school-meals.md"]
    with pytest.raises(DocumentNotFound):
        documents.remove("garden-plan.pdf")


def test_a_file_the_manifest_does_not_name_is_listed_and_can_be_described(documents: Documents) -> None:
    (documents.folder / "dropped-in.md").write_text("# Dropped In\n\nText.\n", encoding="utf-8")
    assert documents.entry("dropped-in.md").doc_id == "dropped-in"
    documents.edit("dropped-in.md", EntryFields(title="Dropped In Plan"))
    assert read_corpus_manifest(documents.folder).documents[-1].title == "Dropped In Plan"


def test_an_entry_whose_file_is_missing_is_listed_failed_and_can_be_removed(documents: Documents) -> None:
    (documents.folder / "arts.md").unlink()  # deleted by hand: the ingest now refuses the corpus
    idle = IngestStatus(state="idle")
    rows = {row.file: row for row in document_rows(documents, [], idle)}
    assert rows["arts.md"].status == "failed" and "missing" in (rows["arts.md"].last_error or "")
    assert rows["school-meals.md"].status == "waiting" and rows["school-meals.md"].last_error is None
    documents.remove("arts.md")
    assert [entry.file for entry in documents.entries()] == ["school-meals.md"]
    load_corpus(documents.folder)  # readable again


def test_the_password_hash_and_the_sign_in_cookie(tmp_path: Path) -> None:
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("scrypt$") and "correct" not in stored
    assert verify_password("correct horse battery staple", stored)
    assert not verify_password("Correct horse battery staple", stored)
    assert not verify_password("anything", "not a hash")

    settings = make_settings(tmp_path, admin_password_hash=SecretStr(stored), admin_session_hours=1 / 3600)
    auth = AdminAuth.from_settings(settings)
    assert auth.accepts("correct horse battery staple") and not auth.accepts("")
    cookie = auth.configured().dumps({"signed_in": True})
    auth.check_cookie(cookie)
    with pytest.raises(AdminTokenRejected):
        auth.check_cookie(cookie[:-2] + "xx")
    other = AdminAuth.from_settings(make_settings(tmp_path, admin_token=SecretStr("another server's token")))
    with pytest.raises(AdminTokenRejected):  # signed with another key: changing credentials signs people out
        other.check_cookie(cookie)
    time.sleep(2.1)
    with pytest.raises(AdminTokenMissing):  # expired: sign in again
        auth.check_cookie(cookie)


def test_a_main_plan_stays_featured_through_edits_and_only_it_says_so(documents: Documents) -> None:
    path = documents.folder / "manifest.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["documents"][1]["featured"] = True  # the arts plan is one of the district's main plans
    path.write_text(json.dumps(raw), encoding="utf-8")
    documents.edit("arts.md", EntryFields(title="Arts and Music Plan", edition="2025"))
    written = {d["doc_id"]: d for d in json.loads(path.read_text(encoding="utf-8"))["documents"]}
    assert written["arts"]["featured"] is True and written["arts"]["title"] == "Arts and Music Plan"
    assert "featured" not in written["school-meals"]  # written as people write a manifest
    assert [d.doc_id for d in load_corpus(documents.folder, None) if d.featured] == ["arts"]


def test_staff_mark_and_unmark_a_main_plan(documents: Documents) -> None:
    path = documents.folder / "manifest.json"
    documents.edit("school-meals.md", EntryFields(title="School Meals", featured=True))
    assert [d.doc_id for d in load_corpus(documents.folder, None) if d.featured] == ["school-meals"]
    documents.edit("school-meals.md", EntryFields(title="School Meals", featured=False))
    assert not any(d.featured for d in load_corpus(documents.folder, None))
    assert all("featured" not in d for d in json.loads(path.read_text(encoding="utf-8"))["documents"])
