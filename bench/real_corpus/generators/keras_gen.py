# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""keras 3 (torch backend): .keras archives, .weights.h5, legacy .h5, JSON config."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np
from _common import Out

out = Out()
keras.utils.set_random_seed(0)


def models() -> dict[str, keras.Model]:
    seq = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    seq.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seq.fit(np.random.rand(32, 4), np.random.randint(0, 2, 32), epochs=1, verbose=0)
    inp = keras.Input((6, 3))
    x = keras.layers.Conv1D(4, 3)(inp)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    func = keras.Model(inp, keras.layers.Dense(1)(x), name="functional")
    emb = keras.Sequential(
        [
            keras.Input((5,), dtype="int32"),
            keras.layers.Embedding(20, 4),
            keras.layers.LSTM(3),
            keras.layers.Dense(1),
        ]
    )
    return {"sequential": seq, "functional": func, "lstm": emb}


def save(name: str, m: keras.Model) -> None:
    m.save(out.path(f"keras/{name}.keras"))
    out.add(f"keras/{name}.keras", "Model.save (.keras zip)", type(m).__name__)
    m.save_weights(out.path(f"weights/{name}.weights.h5"))
    out.add(f"weights/{name}.weights.h5", "Model.save_weights (.weights.h5)", type(m).__name__)
    out.path(f"json/{name}.json").write_text(m.to_json())
    out.add(f"json/{name}.json", "Model.to_json", type(m).__name__)
    out.run(
        f"{name}-h5",
        lambda: (
            m.save(out.path(f"legacy_h5/{name}.h5")),
            out.add(f"legacy_h5/{name}.h5", "Model.save (legacy .h5)", type(m).__name__),
        ),
    )


for n, mdl in models().items():
    out.run(n, lambda n=n, m=mdl: save(n, m))
out.finish()
