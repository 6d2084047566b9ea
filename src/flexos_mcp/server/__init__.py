"""MCP wiring only: toolsets, the tool registry, resources, prompts, error mapping, acting user."""
