"""Qt-free use cases the views call (sign in, author, publish, learn, record events).

Views never build SQL and never import SQLAlchemy; everything they need goes through these
functions, which are testable without a window. A test checks that this package never imports
PySide6.
"""
