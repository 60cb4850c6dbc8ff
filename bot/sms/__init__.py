"""SMS: GSM-7 text rules, the gateway interface and providers, the outbox and its dispatcher."""
