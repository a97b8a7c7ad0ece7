"""interview-pipeline: recorded interviews -> transcripts -> guide-aligned answers -> appendices."""

__version__ = "0.1.0"
