"""Provider interfaces (questions, speech-to-text, text-to-speech, evaluation) and their factories."""
