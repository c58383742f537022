/**
 * Proxies from the environment, with curl's rules: `https_proxy`/`HTTPS_PROXY` for https URLs,
 * `http_proxy`/`HTTP_PROXY` for http URLs, `all_proxy`/`ALL_PROXY` for either, the lower-case
 * name first. `no_proxy`/`NO_PROXY` lists hosts reached directly: `*` for all, a name matches
 * itself and its subdomains (a leading `.` or `*.` is ignored), an IP address matches itself, a
 * `:port` suffix narrows an entry to that port. A proxy URL without a scheme is http://.
 * https goes through the proxy with CONNECT (https-proxy-agent), http as absolute-URI requests
 * (http-proxy-agent).
 */
import type http from 'node:http';
import { isIP } from 'node:net';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { UserError } from '../errors.js';

export interface ProxyChoice {
  /** The proxy's URL (credentials included: for the agent only, never printed). */
  url: URL;
  /** The environment variable it came from, for messages. */
  variable: string;
}

type Env = Record<string, string | undefined>;

function lookup(env: Env, name: string): { variable: string; value: string } | undefined {
  for (const variable of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[variable]?.trim();
    if (value) return { variable, value };
  }
  return undefined;
}

/** `[::1]` → `::1`; names lower-cased without a trailing dot. */
function normalizeHost(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** One NO_PROXY entry → host and optional port (`host:port`, `[v6]:port`, bare v6). */
function parseNoProxyEntry(entry: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : undefined };
  if (isIP(entry) === 6) return { host: entry };
  const withPort = /^(.*):(\d+)$/.exec(entry);
  if (withPort) return { host: withPort[1]!, port: Number(withPort[2]) };
  return { host: entry };
}

/** True when NO_PROXY says `url` is reached directly. */
export function bypassesProxy(url: URL, env: Env = process.env): boolean {
  const list = lookup(env, 'no_proxy')?.value;
  if (!list) return false;
  const host = normalizeHost(url.hostname);
  const port = defaultPort(url);
  for (const raw of list.split(/[\s,]+/)) {
    if (!raw) continue;
    if (raw === '*') return true;
    const entry = parseNoProxyEntry(raw);
    if (entry.port !== undefined && entry.port !== port) continue;
    const name = normalizeHost(entry.host.replace(/^\*?\./, ''));
    if (!name) continue;
    if (host === name) return true;
    if (isIP(host) === 0 && host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** The proxy for `url` from the environment, or undefined to connect directly. */
export function proxyFor(url: URL, env: Env = process.env): ProxyChoice | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const found = lookup(env, `${url.protocol.slice(0, -1)}_proxy`) ?? lookup(env, 'all_proxy');
  if (!found || bypassesProxy(url, env)) return undefined;
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value) ? found.value : `http://${found.value}`;
  let proxy: URL;
  try {
    proxy = new URL(text);
  } catch {
    throw new UserError(`${found.variable} is not a valid proxy URL (expected http://HOST:PORT)`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new UserError(
      `${found.variable}: ${proxy.protocol}// proxies are not supported (use an http:// or https:// proxy)`,
    );
  }
  return { url: proxy, variable: found.variable };
}

/** The proxy as it may be printed: scheme, host and port, no credentials. */
export function describeProxy(choice: ProxyChoice): string {
  return `${choice.url.protocol}//${choice.url.host} (from ${choice.variable})`;
}

const agents = new Map<string, http.Agent>();

/** The agent that reaches `target`'s scheme through `choice`, shared per proxy. */
export function proxyAgent(choice: ProxyChoice, target: URL): http.Agent {
  const key = `${target.protocol} ${choice.url.href}`;
  let agent = agents.get(key);
  if (!agent) {
    // A tunnel (CONNECT) carries the server's own keep-alive. Plain http goes through the proxy
    // one connection per request: proxies such as tinyproxy close it after each answer, and a
    // pooled socket closed under us would fail the next request ("socket hang up").
    agent =
      target.protocol === 'https:'
        ? new HttpsProxyAgent(choice.url, { keepAlive: true })
        : new HttpProxyAgent(choice.url, { keepAlive: false });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes every proxy connection (idle and in use). */
export function closeProxyAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}
