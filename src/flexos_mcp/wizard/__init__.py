"""LLM-driven wizard runs: a model (Claude through the API, or the MCP client's own model through
sampling) runs a wizard through the server's tools; every step lands in the thinking chain."""
