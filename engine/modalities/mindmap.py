"""ByteMind (spec operation ``mindmap.generate``): a module's concepts as a graph.

The map comes from the content's structure — module → headings → the key terms and list
items under each — so it works offline with no model. ``refine`` accepts labels proposed by
an LLM (when one is available) without trusting it to change the structure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias, cast

import networkx as nx

from engine.content import (
    Block,
    CalloutBlock,
    HeadingBlock,
    ListBlock,
    ParagraphBlock,
)
from engine.modalities.text_units import key_terms, shorten

ROOT = "root"
MindMap: TypeAlias = "nx.DiGraph[str]"


def build_mindmap(title: str, blocks: list[Block], *, terms_per_section: int = 4) -> MindMap:
    """A tree: ``root`` (the module) → one node per heading → its concepts.

    Node attributes: ``label``, ``kind`` (module/section/concept/point/tip) and ``detail``
    (the source text the node stands for, shown when the learner selects it).
    """
    g: MindMap = nx.DiGraph()
    g.add_node(ROOT, label=title, kind="module", detail=title)
    sections: list[tuple[str, str, list[Block]]] = []
    current: tuple[str, str, list[Block]] | None = None
    for b in blocks:
        if isinstance(b, HeadingBlock):
            current = (b.id, b.text, [])
            sections.append(current)
        else:
            if current is None:
                current = (f"{ROOT}-intro", "Overview", [])
                sections.append(current)
            current[2].append(b)
    for sid, heading, body in sections:
        g.add_node(sid, label=heading, kind="section", detail=heading)
        g.add_edge(ROOT, sid)
        prose = " ".join(x.text for x in body if isinstance(x, ParagraphBlock))
        for i, term in enumerate(key_terms(prose, terms_per_section)):
            nid = f"{sid}-t{i}"
            g.add_node(nid, label=term, kind="concept", detail=_context(prose, term))
            g.add_edge(sid, nid)
        for x in body:
            if isinstance(x, ListBlock):
                for j, item in enumerate(x.items):
                    nid = f"{x.id}-{j}"
                    g.add_node(nid, label=shorten(item, 70), kind="point", detail=item)
                    g.add_edge(sid, nid)
            elif isinstance(x, CalloutBlock):
                g.add_node(x.id, label=shorten(x.text, 70), kind="tip", detail=x.text)
                g.add_edge(sid, x.id)
    return g


def _context(prose: str, term: str) -> str:
    """The first sentence that mentions ``term`` — what the node means in this module."""
    from engine.modalities.text_units import sentences

    low = term.lower()
    return next((s for s in sentences(prose) if low in s.lower()), term)


def refine(g: MindMap, labels: Mapping[str, str]) -> MindMap:
    """Relabel concept nodes with (LLM-)proposed labels; unknown ids and blank labels are
    ignored, and the structure never changes."""
    out = g.copy()
    for nid, label in labels.items():
        if nid in out and out.nodes[nid]["kind"] == "concept" and label.strip():
            out.nodes[nid]["label"] = shorten(label.strip(), 40)
    return out


def to_data(g: MindMap) -> dict[str, Any]:
    """JSON form for ``modules.modality_variants.mindmap_data``."""
    data: dict[str, Any] = nx.node_link_data(g, edges="edges")
    return data


def from_data(data: Mapping[str, Any]) -> MindMap:
    g = nx.node_link_graph(dict(data), directed=True, edges="edges")
    return cast("MindMap", g)


def radial_layout(g: MindMap, *, ring: float = 190.0) -> dict[str, tuple[float, float]]:
    """Root in the centre, sections on a ring, concepts on an outer ring near their section."""
    import math

    pos: dict[str, tuple[float, float]] = {ROOT: (0.0, 0.0)}
    sections = list(g.successors(ROOT))
    leaves_total = sum(max(1, g.out_degree(s)) for s in sections) or 1
    angle = -math.pi / 2
    for s in sections:
        share = 2 * math.pi * max(1, g.out_degree(s)) / leaves_total
        mid = angle + share / 2
        pos[s] = (ring * math.cos(mid), ring * math.sin(mid))
        kids = list(g.successors(s))
        for k, kid in enumerate(kids):
            a = angle + share * (k + 0.5) / max(1, len(kids))
            r = ring * 1.95
            pos[kid] = (r * math.cos(a), r * math.sin(a))
        angle += share
    return pos
