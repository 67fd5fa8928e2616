"""Errors that are the user's to fix: the CLI prints them as one line, without a traceback."""


class PipelineError(Exception):
    """Base class for errors a user can act on (bad file, bad model, bad corpus)."""


class InputError(PipelineError):
    """A document could not be read or decoded."""


class ModelError(PipelineError):
    """A model file is missing, corrupt, tampered with or incompatible."""


class CorpusError(PipelineError):
    """A training or evaluation corpus is malformed."""
