"""The plan of proactive messages: which job is due when (DST-safe local times, quiet hours),
planned in the same transaction as the change that causes it. bot/scheduler delivers them."""
