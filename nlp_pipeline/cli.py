"""Command line: a thin shell over nlp_pipeline.api. Every command has --help with an example."""
from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import click

from .errors import PipelineError

FORMAT_HELP = "Output format."


class _Group(click.Group):
    """Prints user errors as one line (no traceback unless --debug) and exits 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except (PipelineError, ValueError, OSError) as e:
            if ctx.meta.get("debug"):
                traceback.print_exc()
            click.echo(f"error: {e}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="nlp-pipeline")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Find which cooperation challenges each passage of a document discusses, and digest them.

    \b
    Example:
      nlp-pipeline classify report.txt
      nlp-pipeline batch reports/ --out results.jsonl --digest
    """
    ctx.meta["debug"] = debug


def _pipeline(model: str | None, spacy_model: str = "blank", unit: str = "sentence"):
    import warnings

    from .api import Pipeline
    from .config import Config

    cfg = Config()
    cfg.split.spacy_model, cfg.split.unit = spacy_model, unit
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipe = Pipeline.load(model, cfg)
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    return pipe


model_option = click.option("--model", "-m", type=click.Path(), default=None,
                             help="Model folder (default: the shipped model).")


def digest_options(f):
    f = click.option("--sentences", "-n", type=click.IntRange(1), default=3, show_default=True,
                     help="Digest length per label, in sentences.")(f)
    f = click.option("--words", "-w", type=click.IntRange(1), default=None, help="Digest length per label, in words (cap).")(f)
    f = click.option("--unit", type=click.Choice(["sentence", "paragraph"]), default="sentence", show_default=True,
                     help="Passage unit for tagging.")(f)
    f = click.option("--spacy-model", default="blank", show_default=True,
                     help="spaCy pipeline for sentences: 'blank' or an installed pipeline name.")(f)
    return f


# --- classify -------------------------------------------------------------------------
@main.command()
@click.argument("files", nargs=-1, type=click.Path())
@model_option
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "jsonl", "markdown", "csv"]),
              default="text", show_default=True, help=FORMAT_HELP)
@digest_options
@click.option("--max-bytes", type=click.IntRange(1), default=20 * 1024 * 1024, show_default=True,
              help="Refuse files larger than this.")
def classify(files, model, fmt, sentences, words, unit, spacy_model, max_bytes):
    """Tag the passages of FILES (or standard input) and print a digest per challenge.

    \b
    Example:
      nlp-pipeline classify corpus/samples/001_7a31edbef3b77ced.txt
      cat speech.txt | nlp-pipeline classify --format json
    """
    from . import output
    from .api import Analysis
    from .loader import document_from_bytes

    pipe = _pipeline(model, spacy_model, unit)
    names = files or ("-",)
    failed: list = []

    def analyses():
        for name in names:
            if name == "-":
                try:
                    doc = document_from_bytes(sys.stdin.buffer.read(), "-")
                except PipelineError as e:  # a record like any bad file: earlier output may be written already
                    a = Analysis("-", pipe.labels, status="error", error=str(e))
                else:
                    a = pipe.analyze_document(doc, sentences=sentences, words=words)
            else:
                a = pipe.analyze_file(name, max_bytes=max_bytes, sentences=sentences, words=words)
            if not a.ok:
                if len(names) == 1:
                    raise PipelineError(a.error)
                failed.append(a)
            yield a

    stream = analyses()
    if len(names) == 1:  # a lone failure is an error message, not a record
        stream = iter([next(stream)])
    buf: list[str] = []
    size = 0
    for chunk in output.render(stream, fmt, pipe.labels, many=len(names) > 1):
        buf.append(chunk)
        size += len(chunk)
        if size > 1 << 16:
            click.echo("".join(buf), nl=False)  # click.echo: drops colours when not a terminal
            buf, size = [], 0
    click.echo("".join(buf), nl=False)
    for a in failed:
        click.echo(f"error: {a.error}", err=True)
    sys.exit(1 if failed else 0)


# --- batch -----------------------------------------------------------------------------
@main.command()
@click.argument("directory", type=click.Path())
@click.option("--out", "-o", type=click.Path(), default=None, help="JSONL file for per-file records (appended).")
@click.option("--glob", "pattern", default=None, help="Only files whose path relative to DIRECTORY matches, e.g. '*.md'.")
@click.option("--digest", is_flag=True, help="End with one digest per label across the folder.")
@click.option("--resume", is_flag=True, help="Skip files already recorded in --out (same path and content).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Format of the folder digest.")
@model_option
@digest_options
@click.option("--max-bytes", type=click.IntRange(1), default=20 * 1024 * 1024, show_default=True,
              help="Files larger than this become error records.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on standard error (default: when it is a terminal).")
def batch(directory, out, pattern, digest, resume, fmt, model, sentences, words, unit, spacy_model, max_bytes, progress):
    """Analyse every supported file under DIRECTORY: one JSON record per file.

    A bad file becomes an error record and the batch goes on. Records are appended and
    flushed one by one, so an interrupted batch keeps what it finished; --resume goes on.
    Exit code 0 when every file was processed, 1 when some failed.

    \b
    Example:
      nlp-pipeline batch reports/ --out results.jsonl --digest
      nlp-pipeline batch reports/ --out results.jsonl --resume
    """
    from .batch import run_batch

    pipe = _pipeline(model, spacy_model, unit)
    code = run_batch(pipe, directory, out, pattern=pattern, digest=digest, resume=resume, fmt=fmt,
                     sentences=sentences, words=words, max_bytes=max_bytes, progress=progress)
    sys.exit(code)


# --- train / evaluate / info ----------------------------------------------------------
@main.command()
@click.argument("corpus", type=click.Path(exists=True))
@click.option("--out", "-o", type=click.Path(), required=True, help="Model folder to write.")
@click.option("--taxonomy", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Taxonomy Markdown (label order and signal words); default: CORPUS/taxonomy.md if present.")
@click.option("--C", "C", type=float, default=None, help="Inverse regularisation strength of the per-label models.")
def train(corpus, out, taxonomy, C):
    """Train a model on CORPUS (a folder with train.jsonl [+ test.jsonl, taxonomy.md] or one JSONL file).

    \b
    Example:
      nlp-pipeline train corpus/ --out models/default
    """
    from .train import train as do_train

    params = {"C": C} if C is not None else {}
    manifest = do_train(corpus, out, taxonomy, **params)
    tm = manifest.get("test_metrics")
    msg = f"trained on {manifest['corpus']['n_train']} passages, {len(manifest['labels'])} labels -> {out}"
    if tm:
        msg += f"; test macro-F1 {tm['macro_f1']:.3f}, micro-F1 {tm['micro_f1']:.3f}"
    click.echo(msg)


@main.command()
@click.argument("corpus", type=click.Path(exists=True))
@model_option
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help=FORMAT_HELP)
def evaluate(corpus, model, fmt):
    """Score a model on CORPUS (a folder means its test.jsonl): per-label P/R/F1, micro and macro F1.

    \b
    Example:
      nlp-pipeline evaluate corpus/
      nlp-pipeline evaluate corpus/test.jsonl --format json
    """
    from .train import evaluate as do_eval

    pipe = _pipeline(model)
    r = do_eval(pipe.classifier, corpus)
    if fmt == "json":
        click.echo(json.dumps(r, indent=2))
        return
    click.echo(f"{'label':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for label, v in r["labels"].items():
        click.echo(f"{label:<14}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}{v['support']:>9}")
    click.echo(f"\nmacro-F1 {r['macro_f1']:.3f}   micro-F1 {r['micro_f1']:.3f}   exact match {r['exact_match']:.3f}   "
               f"passages {r['n_passages']}")
    if r.get("unknown_labels"):
        click.echo(f"note: labels not in the model were ignored: {', '.join(r['unknown_labels'])}", err=True)


@main.command()
@model_option
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help=FORMAT_HELP)
def info(model, fmt):
    """Show the model's manifest: labels, thresholds, versions, corpus checksum, test metrics.

    \b
    Example:
      nlp-pipeline info
      nlp-pipeline info --model models/default --format json
    """
    from .config import default_model_dir
    from .model_io import read_manifest

    path = Path(model) if model else default_model_dir()
    m = read_manifest(path)
    if fmt == "json":
        click.echo(json.dumps(m, indent=2, ensure_ascii=False))
        return
    click.echo(f"model       {path}")
    click.echo(f"trained     {m.get('trained_at')}")
    c = m.get("corpus", {})
    click.echo(f"corpus      {c.get('path')} sha256 {str(c.get('sha256'))[:16]}… "
               f"({c.get('n_train')} train / {c.get('n_test', 0)} test passages)")
    click.echo("versions    " + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items()))
    tm = m.get("test_metrics", {}).get("labels", {})
    click.echo(f"\n{'label':<14}{'threshold':>10}{'test F1':>9}")
    for label in m["labels"]:
        f1 = tm.get(label, {}).get("f1")
        click.echo(f"{label:<14}{m['thresholds'][label]:>10.3f}{(f'{f1:.3f}' if f1 is not None else '-'):>9}")
    if "test_metrics" in m:
        click.echo(f"\ntest macro-F1 {m['test_metrics']['macro_f1']:.3f}, micro-F1 {m['test_metrics']['micro_f1']:.3f}")


if __name__ == "__main__":  # pragma: no cover
    main()
