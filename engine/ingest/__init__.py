"""Ingest: turn a creator's source (PDF, DOCX, web page, text/Markdown, a typed prompt) into a
structured document of headings, paragraphs, lists, tables and images, with clear errors for
bad input and progress + cancellation for long documents. Pure Python (no Qt, no SQL)."""
