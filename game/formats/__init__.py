"""File formats: the native ``.beatmap`` text format and its writer."""
