"""Voice mode: offline speech out (eSpeak NG), recording, speech in (pocketsphinx), delivery.

Names are loaded on first use, so `import preppath.voice` costs nothing until audio is needed:
numpy, PortAudio, pocketsphinx and PyAV load with the submodule that needs them.

Typical session use::

    from preppath import voice
    status = voice.voice_status()            # available / one-line reason
    voice.speak(question.text, stop_event=skip)
    with voice.StreamingTranscriber(vocabulary=terms) as stt:
        rec = voice.record_answer(path, stop_event=enter, on_progress=meter.update, decoder=stt)
    delivery = voice.measure_delivery(rec.transcript, question.type)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from preppath.voice.decode import AudioInfo as AudioInfo
    from preppath.voice.decode import DecodedAudio as DecodedAudio
    from preppath.voice.decode import load_audio as load_audio
    from preppath.voice.decode import validate_audio_file as validate_audio_file
    from preppath.voice.delivery import Delivery as Delivery
    from preppath.voice.delivery import measure_delivery as measure_delivery
    from preppath.voice.delivery import measure_text_delivery as measure_text_delivery
    from preppath.voice.devices import VoiceStatus as VoiceStatus
    from preppath.voice.devices import list_devices as list_devices
    from preppath.voice.devices import voice_status as voice_status
    from preppath.voice.keys import KeyWatcher as KeyWatcher
    from preppath.voice.meter import LiveMeter as LiveMeter
    from preppath.voice.playback import PlaybackResult as PlaybackResult
    from preppath.voice.playback import Player as Player
    from preppath.voice.playback import SpokenResult as SpokenResult
    from preppath.voice.playback import play_speech as play_speech
    from preppath.voice.playback import speak as speak
    from preppath.voice.recorder import RecordingProgress as RecordingProgress
    from preppath.voice.recorder import RecordingResult as RecordingResult
    from preppath.voice.recorder import record_answer as record_answer
    from preppath.voice.stt import PocketsphinxSTT as PocketsphinxSTT
    from preppath.voice.stt import StreamingTranscriber as StreamingTranscriber
    from preppath.voice.stt import preload as preload
    from preppath.voice.stt import transcribe_pcm as transcribe_pcm
    from preppath.voice.tts import EspeakTTS as EspeakTTS

_HOME = {
    "AudioInfo": "decode", "DecodedAudio": "decode", "load_audio": "decode",
    "validate_audio_file": "decode",
    "Delivery": "delivery", "measure_delivery": "delivery", "measure_text_delivery": "delivery",
    "VoiceStatus": "devices", "list_devices": "devices", "voice_status": "devices",
    "KeyWatcher": "keys", "LiveMeter": "meter",
    "Player": "playback", "PlaybackResult": "playback", "SpokenResult": "playback",
    "play_speech": "playback", "speak": "playback",
    "RecordingProgress": "recorder", "RecordingResult": "recorder", "record_answer": "recorder",
    "PocketsphinxSTT": "stt", "StreamingTranscriber": "stt", "preload": "stt",
    "transcribe_pcm": "stt",
    "EspeakTTS": "tts",
}  # fmt: skip
__all__ = sorted(_HOME)
_MODULE_OF = {name: f"preppath.voice.{module}" for name, module in _HOME.items()}


def __getattr__(name: str) -> Any:
    from preppath.lazy_names import look_up

    return look_up(__name__, globals(), _MODULE_OF, name, keep=False)
