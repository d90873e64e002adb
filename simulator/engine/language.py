"""Which language a short reply is in, as far as a guard needs to know: no model, no data.

Two signals. The script: letters of another script than the expected language's (Han,
kana, Hangul, Cyrillic, Arabic…) make up a fair share of the reply. And for Latin-script
languages, the little words: a reply whose function words are mostly French, Spanish,
German, Italian, Portuguese or Dutch rather than English. Both are tuned to let an English
line with a foreign name or phrase through (``Señor García``, ``c'est la vie``, ``Paris``).
"""

from __future__ import annotations

import re
import unicodedata

NAMES = {
    "english": "en", "french": "fr", "francais": "fr", "spanish": "es", "espanol": "es", "castilian": "es",
    "german": "de", "deutsch": "de", "italian": "it", "italiano": "it", "portuguese": "pt", "dutch": "nl",
    "flemish": "nl", "chinese": "zh", "mandarin": "zh", "cantonese": "zh", "japanese": "ja", "korean": "ko",
    "russian": "ru", "ukrainian": "uk", "bulgarian": "bg", "serbian": "sr", "arabic": "ar", "persian": "fa",
    "farsi": "fa", "urdu": "ur", "hebrew": "he", "greek": "el", "hindi": "hi", "thai": "th", "polish": "pl",
    "turkish": "tr", "swedish": "sv", "norwegian": "no", "danish": "da", "finnish": "fi", "czech": "cs",
    "romanian": "ro", "hungarian": "hu", "vietnamese": "vi", "indonesian": "id", "latin": "la",
    "klingon": "tlh", "pig latin": "x-pig-latin", "emoji": "x-emoji", "morse": "x-morse", "binary": "x-binary",
}  # fmt: skip

# The script each language is written in, where it is not Latin (names as in Unicode).
_SCRIPTS = {
    "zh": {"CJK"}, "ja": {"CJK", "HIRAGANA", "KATAKANA"}, "ko": {"HANGUL", "CJK"}, "ru": {"CYRILLIC"},
    "uk": {"CYRILLIC"}, "bg": {"CYRILLIC"}, "sr": {"CYRILLIC", "LATIN"}, "ar": {"ARABIC"}, "fa": {"ARABIC"},
    "ur": {"ARABIC"}, "he": {"HEBREW"}, "el": {"GREEK"}, "hi": {"DEVANAGARI"}, "th": {"THAI"},
}  # fmt: skip
_GUESS_BY_SCRIPT = {
    "CJK": "zh", "HIRAGANA": "ja", "KATAKANA": "ja", "HANGUL": "ko", "CYRILLIC": "ru", "ARABIC": "ar",
    "HEBREW": "he", "GREEK": "el", "DEVANAGARI": "hi", "THAI": "th",
}  # fmt: skip
_WIDE = {"CJK", "HIRAGANA", "KATAKANA", "HANGUL"}  # one character is about a word: weighs as three letters
FOREIGN_SCRIPT_SHARE = 0.25

# Function words of each language that English lines do not use (so "in", "a", "die", "will",
# "also", "no", "per", "con", "van", "hay", "um", "do" are left out).
_WORDS = {
    "en": """the and is are was were you your i i'm i'll i've i'd it it's its that that's this these those what
        with have has had not don't can't won't didn't doesn't isn't we we're they they're of to for be been will
        would could should just about but my me him her his she he do did if so at there here get got know think
        want need because when then than them our us an or no yes okay ok sorry thanks one all any some more
        from out up down over again really very much well right said""",
    "fr": """le la les des est et je vous nous il elle ils elles une pas que qui avec dans sur mais ce cette
        c'est j'ai je suis du au aux ne ça oui très suis sont mes votre vos leur tout bien fait être avoir peut
        comme moi toi lui bonjour merci désolé désolée d'accord alors parce pourquoi aussi rien jamais toujours
        maintenant demain aujourd'hui faire vais veux sais crois peux dois n'est qu'il s'il j'en tu de se""",
    "es": """el los las es y que por para una está estoy pero sí como muy más tengo tiene eso esto usted
        nosotros también ahora su sus del lo le se vale haré mañana hoy gracias bueno claro nada nunca siempre
        porque qué cuándo dónde hacer voy quiero sé puedo creo siento tu de la un""",
    "de": """der das und ist nicht ich sie wir ein eine mit auf für zu dem aber oder wie sehr ja nein sind
        haben habe kann mich mir dich uns noch schon jetzt kein keine nur doch wenn dass weil von bei nach es
        danke bitte morgen heute nichts nie immer warum machen werde weiß glaube muss tut leid du ihr""",
    "it": """il lo la gli le di che è non una sono sei io lui lei noi voi anche molto questo questa quello
        perché più del della nel alla ho hai grazie domani oggi bene niente sempre voglio posso credo devo
        ciao scusa un""",
    "pt": """o os uma é não que de das para por você ele ela nós mas muito isso isto está estou também agora
        meu minha seu sua obrigado obrigada amanhã hoje nada nunca sempre porque fazer vou quero sei posso
        acho desculpa""",
    "nl": """de het een en niet ik jij je wij zij dat op te voor maar ook nog wel zijn heb hebben kan naar
        om als dit daar geen nu ja nee wat hoe bedankt morgen vandaag goed niets nooit altijd waarom omdat
        maken wil weet denk moet""",
}
WORDS = {lang: frozenset(words.split()) for lang, words in _WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def guess(text: str) -> str | None:
    """A language code when the text is clearly in some language other than English, or
    "en" when it is clearly English; None when it is too short or mixed to tell."""
    script = _foreign_script(text, "en")
    if script:
        return _GUESS_BY_SCRIPT.get(script, script.lower())
    return _by_words(text)


def other_language(text: str, expected: str = "en") -> str | None:
    """The language `text` is in, if it is clearly not `expected`; else None."""
    script = _foreign_script(text, expected)
    if script:
        return _GUESS_BY_SCRIPT.get(script, script.lower())
    if _SCRIPTS.get(expected, {"LATIN"}) & {"LATIN"} and expected in WORDS:
        found = _by_words(text)
        if found and found != expected:
            return found
    return None


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def _foreign_script(text: str, expected: str) -> str | None:
    """The other script that makes up a fair share of the text's letters, if one does."""
    allowed = _SCRIPTS.get(expected, {"LATIN"})
    weights: dict[str, int] = {}
    for ch in text[:4000]:
        if ch.isalpha():
            script = _script(ch)
            weights[script] = weights.get(script, 0) + (3 if script in _WIDE else 1)
    total = sum(weights.values())
    foreign = {s: w for s, w in weights.items() if s not in allowed}
    if not total or not foreign:
        return None
    if sum(foreign.values()) / total < FOREIGN_SCRIPT_SHARE:
        return None
    return max(foreign, key=lambda s: foreign[s])


def _by_words(text: str) -> str | None:
    words = _WORD.findall(unicodedata.normalize("NFC", text[:4000]).casefold().replace("’", "'"))
    if not words:
        return None
    hits = {lang: sum(w in vocab for w in words) for lang, vocab in WORDS.items()}
    english = hits.pop("en")
    lang, most = max(hits.items(), key=lambda item: item[1])
    if most >= 2 and most > english and most >= 0.2 * len(words):
        return lang
    if english >= 2 and english >= most:
        return "en"
    return None
