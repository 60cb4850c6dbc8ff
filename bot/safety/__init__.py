"""Safety: crisis language detection."""
