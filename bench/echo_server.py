"""The floor for stdio benchmarks: the MCP SDK's own server with one echo tool, run as a
subprocess exactly like `flexos-mcp serve` (python bench/echo_server.py)."""

from mcp.server import MCPServer

server = MCPServer("echo")


@server.tool()
async def echo_tool(text: str) -> str:
    """Echo."""
    return text


if __name__ == "__main__":
    server.run()
