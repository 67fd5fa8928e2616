"""Trained model folders (installed as nlp_pipeline.models); `default` is the shipped model."""
