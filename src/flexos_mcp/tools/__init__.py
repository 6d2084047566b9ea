"""One module per toolset. Each tool is a typed async function declared with `@tool(...)`; each
resource with `@resource(...)`. Adding a module here adds its tools: the registry finds it."""
