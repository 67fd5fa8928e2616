"""`python -m nlp_pipeline` runs the command line."""
from .cli import main

main(prog_name="nlp-pipeline")
