"""Fetching a web page the user asked for, without letting a URL reach inside the network.

A URL is only a name: what matters is the address the connection goes to. So every hop — the
URL given and each redirect — is resolved here, every address it resolves to must be a public
(globally routable) one, and the connection goes to that checked address (the name travels in the
Host header and as TLS server name, and the certificate is verified against the name). A DNS
answer that changes between the check and the connection (DNS rebinding) therefore changes
nothing. Loopback, private, link-local (cloud metadata at 169.254.169.254), shared, multicast,
reserved and unspecified addresses are refused, as are IPv6 forms that embed one of them
(IPv4-mapped, 6to4, Teredo, NAT64). Bodies are bounded in size and the whole fetch in time.
Environment proxies are ignored (they would connect somewhere else than the checked address).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field

import httpx2

from ..errors import InvalidInput, quoted

FIELD = "url"
USER_AGENT = "FlexOS-MCP context fetcher (+https://modelcontextprotocol.io)"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 5 * 1024 * 1024
    timeout_s: float = 10.0
    max_redirects: int = 5


@dataclass
class Fetched:
    url: str  # the final URL, after redirects
    status: int
    content_type: str  # as the server declared it (the bytes are sniffed separately)
    data: bytes
    address: str  # the address the final hop connected to
    redirects: list[str] = field(default_factory=list)


def _refused(message: str) -> InvalidInput:
    return InvalidInput(FIELD, f"{message} Nothing was fetched or saved.")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def why_not_public(ip: IPAddress) -> str | None:
    """None for a public address; otherwise what kind of address it is, in words."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = why_not_public(inner)
            if reason:
                return f"{reason} (inside the IPv6 address {ip})"
    for test, words in (
        (ip.is_loopback, "a loopback address (this machine)"),
        (ip.is_link_local, "a link-local address (e.g. cloud metadata)"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private-network address"),
        (ip.is_reserved, "a reserved address"),
    ):
        if test:
            return words
    if not ip.is_global:
        return "not a public internet address"
    return None


def check_url(url: str) -> httpx2.URL:
    """The URL parsed, when it is an http(s) URL with a host and no credentials."""
    try:
        parsed = httpx2.URL(url)
    except Exception:
        raise _refused(f"{quoted(url)} is not a URL; give an http:// or https:// address.") from None
    if parsed.scheme not in ("http", "https"):
        raise _refused(
            f"{quoted(url)} uses the scheme {quoted(parsed.scheme or '(none)')}; FlexOS fetches only "
            f"http:// and https:// web pages."
        )
    if not parsed.host:
        raise _refused(f"{quoted(url)} names no host.")
    if parsed.userinfo:
        raise _refused(f"{quoted(url)} carries a user name or password; give the address without credentials.")
    return parsed


async def public_address(url: httpx2.URL) -> IPAddress:
    """The address to connect to for `url`: every address its host resolves to must be public."""
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise _refused(f"the host {quoted(host)} could not be found (DNS).") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not addresses:
            raise _refused(f"the host {quoted(host)} could not be found (DNS).") from None
    for address in addresses:
        reason = why_not_public(address)
        if reason:
            shown = host if str(address) == host else f"{host} (which resolves to {address})"
            raise _refused(
                f"{shown} is {reason}; FlexOS fetches only from public internet addresses, never "
                f"from this machine or a private network."
            )
    return addresses[0]


async def fetch_url(url: str, limits: FetchLimits) -> Fetched:
    """GET `url` (following at most `limits.max_redirects` redirects, each checked like the first)."""
    try:
        async with asyncio.timeout(limits.timeout_s):
            return await _fetch(url, limits)
    except TimeoutError:
        raise _refused(
            f"{quoted(url)} did not answer within {limits.timeout_s:g} s (setting FLEXOS_FETCH_TIMEOUT_S)."
        ) from None


async def _fetch(url: str, limits: FetchLimits) -> Fetched:
    redirects: list[str] = []
    timeout = httpx2.Timeout(limits.timeout_s)
    async with httpx2.AsyncClient(trust_env=False, follow_redirects=False, timeout=timeout) as client:
        current = url
        for _ in range(limits.max_redirects + 1):
            parsed = check_url(current)
            address = await public_address(parsed)
            target = parsed.copy_with(host=str(address))
            headers = {
                "Host": parsed.netloc.decode("ascii"),
                "User-Agent": USER_AGENT,
                "Accept-Encoding": "identity",
                "Accept": "text/html,text/plain,text/css,application/json,image/*;q=0.8,*/*;q=0.5",
            }
            extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
            try:
                async with client.stream("GET", target, headers=headers, extensions=extensions) as response:
                    if response.is_redirect and response.headers.get("location"):
                        location = response.headers["location"]
                        current = str(parsed.join(location))
                        redirects.append(current)
                        continue
                    if response.status_code >= 400:
                        raise _refused(f"{quoted(current)} answered HTTP {response.status_code}.")
                    data = await _bounded_body(response, current, limits.max_bytes)
                    return Fetched(
                        url=current,
                        status=response.status_code,
                        content_type=response.headers.get("content-type", ""),
                        data=data,
                        address=str(address),
                        redirects=redirects,
                    )
            except httpx2.HTTPError as exc:
                raise _refused(f"{quoted(current)} could not be fetched ({type(exc).__name__}).") from None
    raise _refused(f"{quoted(url)} redirected more than {limits.max_redirects} times.")


async def _bounded_body(response: httpx2.Response, url: str, max_bytes: int) -> bytes:
    too_big = _refused(
        f"{quoted(url)} is larger than the limit of {max_bytes / 1048576:,.0f} MB (setting FLEXOS_MAX_FILE_MB)."
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise too_big
    return bytes(body)
