"""Inference engines behind one async streaming interface, and the router that chooses among them.

    local    the deterministic templated answer (default; no network)
    openai   any OpenAI-compatible chat-completions server with streaming (vLLM, llama.cpp, Ollama, ...)
    groq     GroqCloud, a named preset of openai
    zero     benchmarks only: a fixed answer with no delay

The router sends emergencies to the fixed emergency script (no model call) and everything else down the
configured chain with a first-token budget, a total timeout, a circuit breaker per engine and failover to the
local engine, last. Prompts and local answers are jinja2 templates under templates/.
"""
