"""Retrieval over course content: chunking, embeddings (MiniLM, offline) and a vector index."""
