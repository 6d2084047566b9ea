"""FlexOS MCP: an MCP server for visual-first app design over PostgreSQL."""

__version__ = "0.1.0"
