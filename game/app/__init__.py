"""The application: the play loop and its scenes wire devices, audio, engine and screen."""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
