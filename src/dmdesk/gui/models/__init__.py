"""Qt item models over the read side (queries/)."""
