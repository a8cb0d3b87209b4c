# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""spaCy: blank pipelines saved with to_disk/to_bytes (config.cfg, msgpack tokenizer/vocab, meta.json),
Doc/DocBin files, and pickled Doc/Vocab objects (spaCy registers its own pickle reducers)."""

from __future__ import annotations

import pickle

import spacy
from _common import Out
from spacy.tokens import DocBin

out = Out()
TEXTS = ["The cat sat on the mat.", "Apple is looking at buying a U.K. startup for $1 billion."]


def pipeline() -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [{"label": "ORG", "pattern": "Apple"}, {"label": "GPE", "pattern": [{"LOWER": "u.k."}]}]
    )
    nlp.add_pipe("textcat")
    nlp.initialize(
        lambda: [
            spacy.training.Example.from_dict(nlp.make_doc(t), {"cats": {"A": 1.0, "B": 0.0}})
            for t in TEXTS
        ]
    )
    return nlp


def main() -> None:
    blank = spacy.blank("en")
    blank.to_disk(out.path("blank_en/.keep").parent)
    out.add_tree("blank_en", "Language.to_disk (blank)", "spacy.lang.en.English")
    nlp = pipeline()
    nlp.to_disk(out.path("pipeline/.keep").parent)
    out.add_tree(
        "pipeline", "Language.to_disk (sentencizer, entity_ruler, textcat)", "spacy pipeline"
    )
    out.path("bytes/pipeline.bin").write_bytes(nlp.to_bytes())
    out.add("bytes/pipeline.bin", "Language.to_bytes", "msgpack")
    docs = list(nlp.pipe(TEXTS))
    db = DocBin(store_user_data=True, docs=docs)
    db.to_disk(out.path("docbin/train.spacy"))
    out.add("docbin/train.spacy", "DocBin.to_disk", "DocBin")
    docs[0].to_disk(out.path("doc/doc0.spacydoc"))
    out.add("doc/doc0.spacydoc", "Doc.to_disk", "Doc")
    nlp.vocab.to_disk(out.path("vocab/.keep").parent)
    out.add_tree("vocab", "Vocab.to_disk", "Vocab")
    for name, obj in {"doc": docs[1], "vocab": nlp.vocab, "docbin": db}.items():
        out.run(f"pickle-{name}", lambda n=name, o=obj: _pickle(n, o))
    out.run("pickle-nlp", lambda: _pickle("blank_nlp", blank))


def _pickle(name: str, obj: object) -> None:
    rel = f"pickle/{name}.pkl"
    with out.path(rel).open("wb") as f:
        pickle.dump(obj, f)
    out.add(rel, "pickle.dump", type(obj).__name__)


out.run("main", main)
out.finish()
