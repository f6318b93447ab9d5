"""Offline text-to-speech: eSpeak NG through the library pip's `espeakng-loader` ships.

That package only ships `libespeak-ng` and its data (no synthesis call of its own), so we drive the
C API through ctypes: initialise in synchronous mode, register a callback that receives 16-bit mono
chunks, set voice and rate, synthesise. No system package is needed.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from dataclasses import dataclass

import espeakng_loader

from preppath.errors import ExitCode, PrepPathError
from preppath.values import Speech

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000  # report a missing data directory instead of calling exit()
POS_CHARACTER = 1
CHARS_UTF8 = 1
PARAM_RATE = 1
EE_OK = 0
MIN_RATE_WPM, MAX_RATE_WPM = 80, 450  # eSpeak NG's accepted range

ChunkSink = Callable[[bytes], bool | None]
"""Receives each PCM chunk as it is synthesised; returning False stops synthesis."""

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _VoiceStruct(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


@dataclass(frozen=True)
class VoiceInfo:
    name: str
    identifier: str
    languages: tuple[str, ...]


class _Engine:
    """The process-wide eSpeak instance: the C library keeps global state, so one lock guards it."""

    def __init__(self) -> None:
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = espeakng_loader.get_data_path().encode()
        except (OSError, RuntimeError) as exc:
            raise PrepPathError(f"eSpeak NG is not usable: {exc}", ExitCode.UNAVAILABLE) from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_VoiceStruct))
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data, INITIALIZE_DONT_EXIT)
        self.sample_rate = int(rate)
        if self.sample_rate <= 0:
            raise PrepPathError("eSpeak NG failed to start (data missing?)", ExitCode.UNAVAILABLE)
        self.lib = lib
        self.lock = threading.Lock()
        self._sink: ChunkSink | None = None
        self._error: BaseException | None = None
        # Keep a reference: ctypes frees the trampoline when the Python object dies.
        self._callback = _SynthCallback(self._on_audio)
        lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav: ctypes._Pointer[ctypes.c_short], n: int, _events: int | None) -> int:
        if self._sink is None or not wav or n <= 0:
            return 0
        try:
            keep_going = self._sink(ctypes.string_at(wav, n * 2))
        except BaseException as exc:  # an exception must not unwind through C; re-raised below
            self._error = exc
            return 1
        return 1 if keep_going is False else 0

    def synth(self, text: str, voice: str, rate_wpm: int, sink: ChunkSink) -> None:
        data = text.encode("utf-8")
        with self.lock:
            if not self._set_voice(voice):
                raise PrepPathError(
                    f"unknown eSpeak voice {voice!r} (try en-us, en-gb, en; "
                    "`preppath audio voices` lists them)",
                    ExitCode.INVALID,
                )
            self.lib.espeak_SetParameter(PARAM_RATE, rate_wpm, 0)
            self._sink, self._error = sink, None
            try:
                err = self.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8,
                                            None, None)  # fmt: skip
            finally:
                self._sink = None
            if self._error is not None:
                raise self._error
            if err != EE_OK:
                raise PrepPathError(f"eSpeak NG could not synthesise (error {err})")

    def _set_voice(self, voice: str) -> bool:
        """By file name ("en-us"), full name, identifier, or language code ("en-gb")."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) == EE_OK:
            return True
        wanted = voice.lower()
        for v in self._voices():
            ids = (v.identifier.lower(), v.identifier.lower().rsplit("/", 1)[-1], v.name.lower())
            if wanted in ids or (v.languages and v.languages[0] == wanted):
                return bool(self.lib.espeak_SetVoiceByName(v.identifier.encode()) == EE_OK)
        return False

    def voices(self) -> list[VoiceInfo]:
        with self.lock:
            return self._voices()

    def _voices(self) -> list[VoiceInfo]:
        table = self.lib.espeak_ListVoices(None)
        found: list[VoiceInfo] = []
        i = 0
        while table[i]:
            v = table[i].contents
            found.append(
                VoiceInfo(
                    name=(v.name or b"").decode(errors="replace"),
                    identifier=(v.identifier or b"").decode(errors="replace"),
                    languages=_languages(v.languages),
                )
            )
            i += 1
        return found


def _languages(address: int | None) -> tuple[str, ...]:
    """Decode eSpeak's language list: (priority byte, NUL-terminated name)*, ended by priority 0."""
    langs: list[str] = []
    offset = 0
    while address:
        if ctypes.string_at(address + offset, 1) == b"\0":
            break
        name = ctypes.string_at(address + offset + 1)
        langs.append(name.decode(errors="replace"))
        offset += len(name) + 2
    return tuple(langs)


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def _get_engine() -> _Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Engine()
        return _engine


def list_voices() -> list[VoiceInfo]:
    """Voices the bundled eSpeak NG data provides (e.g. en-us, en-gb, de, fr)."""
    return _get_engine().voices()


class EspeakTTS:
    """Implements `TextToSpeech`; about 8-20 ms to synthesise a 30-word question."""

    name = "espeak-ng"

    def __init__(self, voice: str = "en-us", rate_wpm: int = 165) -> None:
        if not MIN_RATE_WPM <= rate_wpm <= MAX_RATE_WPM:
            raise PrepPathError(
                f"speech rate {rate_wpm} is outside {MIN_RATE_WPM}-{MAX_RATE_WPM} words per minute",
                ExitCode.USAGE,
            )
        self.voice = voice
        self.rate_wpm = rate_wpm

    @property
    def sample_rate(self) -> int:
        return _get_engine().sample_rate

    def stream(self, text: str, on_chunk: ChunkSink) -> None:
        """Synthesise, handing each chunk to `on_chunk` as soon as eSpeak produces it."""
        if not text.strip():
            raise PrepPathError("nothing to say: the text is empty", ExitCode.INVALID)
        _get_engine().synth(text, self.voice, self.rate_wpm, on_chunk)

    def synthesize(self, text: str) -> Speech:
        chunks: list[bytes] = []
        self.stream(text, chunks.append)
        return Speech(pcm=b"".join(chunks), sample_rate=self.sample_rate)
