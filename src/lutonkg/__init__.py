"""lutonkg: a knowledge graph of who is responsible for what in Luton's education and children's services."""

__version__ = "0.1.0"
