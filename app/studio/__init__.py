"""Studio: the course-authoring surface (course list, course, module and quiz editors)."""
