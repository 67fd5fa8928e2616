"""nlp_pipeline: tag passages of policy documents with cooperation challenges and digest them."""
__version__ = "0.1.0"

from .api import Pipeline  # noqa: E402

__all__ = ["Pipeline", "__version__"]
