"""hostbot: change who hosts a video meeting, from chat."""

__version__ = "0.1.0"
