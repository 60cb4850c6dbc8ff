"""The coordination service (aiohttp): JSON API, coordinators' dashboard, web-chat page, the fake SMS
operator for development, and the background scheduler and SMS dispatcher. An adapter: it parses
requests, calls the features' use cases and renders."""
