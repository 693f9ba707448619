"""AI course authoring (spec operation ``content.generate``): from sources and a brief to a
draft course, step by step (outline → each module's blocks → its quiz → skill tags), with
every model answer constrained to a JSON schema, validated and repaired, and resumable."""
