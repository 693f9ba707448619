"""Saved prompt states: found by the longest matching beginning, kept on disk, never trusted
when damaged or made by another model."""

from __future__ import annotations

from pathlib import Path

from engine.llm.prompt_states import PromptStates


def test_the_longest_saved_beginning_of_a_prompt_is_found(tmp_path: Path) -> None:
    st = PromptStates("model-a", tmp_path)
    st.put([1, 2, 3], b"short")
    st.put([1, 2, 3, 4, 5], b"longer")
    st.put([9, 9, 9, 9], b"other")
    best = st.best_for([1, 2, 3, 4, 5, 6, 7])
    assert best is not None and best.data == b"longer"
    assert st.best_for([1, 2, 3, 7]).data == b"short"  # type: ignore[union-attr]
    assert st.best_for([1, 2, 3, 4, 5, 6], at_least=5) is None  # not better than the cache
    assert st.best_for([7, 7]) is None


def test_states_survive_a_restart_and_another_model_never_uses_them(tmp_path: Path) -> None:
    PromptStates("model-a", tmp_path).put([5, 6, 7], b"kv-bytes")
    again = PromptStates("model-a", tmp_path)
    assert again.has([5, 6, 7])
    assert again.best_for([5, 6, 7, 8]).data == b"kv-bytes"  # type: ignore[union-attr]
    other = PromptStates("model-b", tmp_path)  # another model file: its cache is not ours
    assert other.best_for([5, 6, 7, 8]) is None


def test_a_damaged_or_foreign_file_is_ignored_and_removed(tmp_path: Path) -> None:
    st = PromptStates("model-a", tmp_path)
    st.put([1, 2], b"fine")
    (tmp_path / "junk.kv").write_bytes(b"not a state file")
    path = next(p for p in tmp_path.glob("*.kv") if p.name != "junk.kv")
    path.write_bytes(path.read_bytes()[:12])  # cut short by a crash or a full disk
    fresh = PromptStates("model-a", tmp_path)
    assert fresh.best_for([1, 2, 3]) is None
    assert list(tmp_path.glob("*.kv")) == []  # both removed


def test_memory_and_disk_stay_within_their_budgets(tmp_path: Path) -> None:
    st = PromptStates("m", tmp_path, memory_budget=250, disk_budget=700)
    for i in range(6):
        st.put([i, i, i], bytes(100))
    assert sum(len(s.data) for s in st._memory.values()) <= 250
    assert sum(p.stat().st_size for p in tmp_path.glob("*.kv")) <= 700


def test_an_unwritable_folder_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    st = PromptStates("m", blocker / "states")  # cannot be created: a file is in the way
    st.put([1, 2, 3], b"kv")
    assert st.best_for([1, 2, 3, 4]).data == b"kv"  # type: ignore[union-attr]
