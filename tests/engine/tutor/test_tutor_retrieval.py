"""Chunking, the index kept in step with edits, persistence, and real MiniLM relevance."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from engine.content import Block, parse_blocks, parse_quiz
from engine.retrieval.chunking import ModuleText, chunk_module, module_fingerprint
from engine.retrieval.embedding import HashingEmbedder, Vectors
from engine.retrieval.index import VectorIndex
from tests.engine.tutor.helpers import real_embedder


def demo_modules() -> list[ModuleText]:
    path = Path(__file__).resolve().parents[3] / "resources" / "demo" / "demo_content.json"
    course = json.loads(path.read_text(encoding="utf-8"))["courses"][0]
    return [
        ModuleText(
            "course-1",
            m["id"],
            m["title"],
            i,
            tuple(parse_blocks(m["content"])),
            tuple(parse_quiz(m.get("quiz"))),
        )
        for i, m in enumerate(course["modules"])
    ]


def _blocks(*paras: str, heading: str = "Intro") -> tuple[Block, ...]:
    raw = [{"type": "heading", "text": heading}] + [{"type": "paragraph", "text": p} for p in paras]
    return tuple(parse_blocks(raw))


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.embedded.extend(texts)
        return super().embed(texts)


def test_chunks_stay_in_their_module_and_carry_the_heading() -> None:
    long = " ".join(f"Sentence {i} about spaced practice." for i in range(80))
    m = ModuleText("c", "m1", "Spacing", 0, _blocks("Short intro.", long, heading="Why space"))
    chunks = chunk_module(m)
    assert len(chunks) > 2
    assert all(c.module_id == "m1" and c.heading == "Why space" for c in chunks)
    assert all(len(c.text) <= 1300 for c in chunks)
    assert chunks[0].embed_text.startswith("Spacing — Why space\n")
    empty = ModuleText("c", "m2", "Only a title", 1, ())
    assert [c.text for c in chunk_module(empty)] == ["Only a title"]


def test_index_re_embeds_only_what_changed_and_drops_removed_modules(tmp_path: Path) -> None:
    emb = CountingEmbedder()
    a = ModuleText("c", "a", "Forgetting", 0, _blocks("Memory fades fast at first."))
    b = ModuleText("c", "b", "Retrieval", 1, _blocks("Testing yourself builds memory."))
    index = VectorIndex(emb, tmp_path / "idx")
    first = index.sync_course("c", [a, b])
    assert set(first.embedded) == {"a", "b"} and len(index) == 2
    emb.embedded.clear()
    again = index.sync_course("c", [a, b])
    assert not again.changed and emb.embedded == []  # nothing changed, nothing embedded
    b2 = ModuleText("c", "b", "Retrieval", 1, _blocks("Self-testing with flashcards helps."))
    edit = index.sync_course("c", [a, b2])
    assert edit.embedded == ("b",) and all("flashcards" in t for t in emb.embedded)
    assert index.search("flashcards", "c", k=1)[0].chunk.module_id == "b"
    gone = index.sync_course("c", [b2])
    assert gone.removed == ("a",) and index.module_ids("c") == {"b"}
    # the index is saved beside the database and reloads without re-embedding
    emb2 = CountingEmbedder()
    reloaded = VectorIndex(emb2, tmp_path / "idx")
    assert reloaded.module_ids("c") == {"b"}
    assert not reloaded.sync_course("c", [b2]).changed and emb2.embedded == []


def test_a_damaged_index_file_is_rebuilt(tmp_path: Path) -> None:
    a = ModuleText("c", "a", "Forgetting", 0, _blocks("Memory fades fast at first."))
    VectorIndex(HashingEmbedder(), tmp_path / "idx").sync_course("c", [a])
    (tmp_path / "idx.npz").write_bytes(b"not a zip")
    index = VectorIndex(HashingEmbedder(), tmp_path / "idx")
    assert len(index) == 0
    assert index.sync_course("c", [a]).embedded == ("a",)


def test_courses_are_searched_separately() -> None:
    index = VectorIndex(HashingEmbedder())
    index.sync_course("c1", [ModuleText("c1", "x", "Cats", 0, _blocks("Cats purr."))])
    index.sync_course("c2", [ModuleText("c2", "y", "Dogs", 0, _blocks("Dogs bark."))])
    assert {h.chunk.course_id for h in index.search("purr", "c2", k=5)} == {"c2"}


def test_fingerprint_follows_content() -> None:
    def mod(text: str) -> ModuleText:
        blocks = parse_blocks([{"id": "b1", "type": "paragraph", "text": text}])
        return ModuleText("c", "a", "T", 0, tuple(blocks))

    assert module_fingerprint(mod("x")) == module_fingerprint(mod("x"))
    assert module_fingerprint(mod("x")) != module_fingerprint(mod("y"))


@pytest.mark.slow
def test_real_minilm_separates_course_questions_from_off_topic_ones() -> None:
    emb = real_embedder()
    index = VectorIndex(emb)
    index.sync_course("course-1", demo_modules())
    on_topic = {
        "Why is re-reading less effective than testing yourself?": "Why we forget",
        "What does interleaving mean?": "Spacing and interleaving",
        "How do I turn this into a weekly study plan?": "Your study plan",
    }
    for q, title in on_topic.items():
        best = index.search(q, "course-1", k=1)[0]
        assert best.chunk.module_title == title, q
        assert best.score >= emb.relevance_threshold, (q, best.score)
    for q in ("What is the capital of Australia?", "How do I bake sourdough bread?"):
        assert index.search(q, "course-1", k=1)[0].score < emb.relevance_threshold, q


@pytest.mark.slow
def test_real_minilm_vectors_are_unit_length_and_offline() -> None:
    vecs: Vectors = real_embedder().embed(["spacing", "retrieval practice"])
    assert vecs.shape == (2, 384) and np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


def test_search_over_ten_thousand_chunks_is_fast() -> None:
    emb = HashingEmbedder(dim=384)
    index = VectorIndex(emb)
    from engine.retrieval.chunking import Chunk

    chunks = [
        Chunk(f"m{i // 10}:{i}", "c", f"m{i // 10}", f"Module {i // 10}", i // 10, "", f"t {i}", ())
        for i in range(10_000)
    ]
    for start in range(0, 10_000, 1000):
        index.add_chunks("c", f"block{start}", chunks[start : start + 1000])
    qv = emb.embed(["t 42"])[0]
    index.search_vector(qv, "c")  # builds the course matrix once
    t = time.perf_counter()
    for _ in range(20):
        index.search_vector(qv, "c", k=4)
    assert (time.perf_counter() - t) / 20 < 0.05
