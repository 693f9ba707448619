"""Pure derivations of a module's content blocks into the interactive modalities
(ByteFeed cards, ByteMind mind maps, BytePlay games). No Qt, no SQL."""
