"""Citizens and their course: registration and consent, the course (ended / resumed, STOP / START),
contact requests, stratification, personal chat links, the conversation view and erasure."""
