"""The semantic layer: a declared model of each merchant's data, one analytics query over it, a compiler to
parameterised SQL, and the entity linker that reads names and periods out of a question."""

from tools.semantic.execute import QueryAnswer, execute, run_semantic
from tools.semantic.link import Frame, Mention, link
from tools.semantic.model import SemanticModel, build_model, semantic_model
from tools.semantic.query import Filter, SemanticQuery, Window

__all__ = [
    "Filter", "Frame", "Mention", "QueryAnswer", "SemanticModel", "SemanticQuery", "Window", "build_model",
    "execute", "link", "run_semantic", "semantic_model",
]  # fmt: skip
