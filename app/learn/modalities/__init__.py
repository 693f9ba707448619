"""The seven Learn modalities, all derived from a module's content blocks (design principle 4:
authored once, delivered in any modality). Each is a ``ModalityView`` hosted by the course
player; ``registry.MODALITIES`` maps the canonical names to their views."""
