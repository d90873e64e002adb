"""One spelling for text written in many: the words two lines share, whatever their script.

`skeleton` folds what a coachee can vary without changing what is read: compatibility forms
(full-width letters, ligatures), case, accents, look-alike Cyrillic and Greek letters,
zero-width characters, leetspeak (``wh4t 1s y0ur j0b``), letters spelled out one by one
(``w h a t``) and stretched letters (``sooo``). The result is only for comparing two texts
with each other; it is never shown, and it is not meant to be read (``l`` and ``1`` both
become ``i``, doubled letters become one).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters of other scripts that look like Latin ones (a reply can copy a line in them).
_LOOK_ALIKES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "s", "σ": "o",
    }
)  # fmt: skip
# Digits and symbols that stand for letters inside a word; "l" joins "1" and "i".
_LEET = str.maketrans(
    {"0": "o", "1": "i", "!": "i", "|": "i", "l": "i", "3": "e", "€": "e", "4": "a", "@": "a",
     "5": "s", "$": "s", "7": "t", "+": "t", "8": "b", "9": "g", "6": "g"}
)  # fmt: skip
_EDGES = ".,;:?!\"'“”‘’«»„()[]{}<>…-–—*_~`^"
_TOKEN = re.compile(r"\S+")


@lru_cache(maxsize=512)
def skeleton(text: str) -> tuple[str, ...]:
    """The words of `text` in one folded spelling, for comparing with another text's."""
    text = unicodedata.normalize("NFKC", text[:20_000])
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not _invisible(ch))
    text = text.translate(_LOOK_ALIKES)
    words: list[str] = []
    for token in _TOKEN.findall(text):
        token = token.strip(_EDGES)
        if any(ch.isalpha() for ch in token):
            token = token.translate(_LEET)  # digits and symbols inside a word stand for letters
        token = re.sub(r"[^\w]|_", "", token)
        token = re.sub(r"(.)\1+", r"\1", token)  # stretched or doubled letters: one
        if token:
            words.append(token)
    return tuple(_join_spelled_out(words))


def _invisible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category == "Mn" or category == "Cf"  # accents, zero-width and direction marks


def _join_spelled_out(words: list[str]) -> list[str]:
    """``w h a t`` is one word: three or more single letters in a row are joined."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        out += ["".join(run)] if len(run) >= 3 else run
        run = []
        if word:
            out.append(word)
    return out


def starts_with(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return bool(part) and words[: len(part)] == part


def ends_with(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return bool(part) and words[-len(part) :] == part


def contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return bool(part) and any(words[i : i + n] == part for i in range(len(words) - n + 1))


def shared_run(a: tuple[str, ...], b: tuple[str, ...], n: int) -> bool:
    """Whether `a` and `b` share `n` words in a row."""
    if n <= 0 or len(a) < n or len(b) < n:
        return False
    grams = {a[i : i + n] for i in range(len(a) - n + 1)}
    return any(b[i : i + n] in grams for i in range(len(b) - n + 1))
