"""Bundled fonts (data only): subsets of Noto Sans and Noto Sans CJK, SIL OFL 1.1.

See ``OFL.txt`` beside this file for the licence and ``tools/build_fonts.py``
for what each subset covers; ``game/ui/fonts.py`` draws with them.
"""
