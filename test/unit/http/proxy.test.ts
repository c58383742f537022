/** Proxy choice from the environment: curl's variables, precedence and NO_PROXY matching. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bypassesProxy, describeProxy, proxyFor } from '../../../src/http/proxy.js';

const u = (s: string) => new URL(s);
const chosen = (url: string, env: Record<string, string>) => proxyFor(u(url), env)?.url.href;

test('https URLs use https_proxy, http URLs http_proxy; lower-case wins; ALL_PROXY is the fallback', () => {
  assert.equal(chosen('https://h/x', { HTTPS_PROXY: 'http://p:3128' }), 'http://p:3128/');
  assert.equal(
    chosen('https://h/x', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }),
    'http://lower:1/',
  );
  assert.equal(chosen('http://h/x', { HTTP_PROXY: 'http://p:8080' }), 'http://p:8080/');
  assert.equal(chosen('http://h/x', { HTTPS_PROXY: 'http://p:8080' }), undefined);
  assert.equal(chosen('https://h/x', { HTTP_PROXY: 'http://p:8080' }), undefined);
  assert.equal(chosen('https://h/x', { ALL_PROXY: 'http://all:1' }), 'http://all:1/');
  assert.equal(chosen('https://h/x', {}), undefined);
});

test('a proxy without a scheme is http://; other schemes are refused by variable name', () => {
  assert.equal(chosen('https://h/x', { https_proxy: 'proxy.corp:3128' }), 'http://proxy.corp:3128/');
  assert.throws(
    () => proxyFor(u('https://h/x'), { https_proxy: 'socks5://p:1080' }),
    /^UserError: https_proxy: socks5:\/\/ proxies are not supported/,
  );
});

test('file:// URLs never use a proxy', () => {
  assert.equal(chosen('file:///tmp/x', { ALL_PROXY: 'http://p:1' }), undefined);
});

test('NO_PROXY matches hosts and their subdomains, IPs exactly, ports when given, * for all', () => {
  const np = (list: string, url: string) => bypassesProxy(u(url), { NO_PROXY: list });
  assert.equal(np('example.com', 'https://example.com/x'), true);
  assert.equal(np('example.com', 'https://a.b.example.com/x'), true);
  assert.equal(np('.example.com', 'https://a.example.com/x'), true);
  assert.equal(np('*.example.com', 'https://a.example.com/x'), true);
  assert.equal(np('example.com', 'https://badexample.com/x'), false);
  assert.equal(np('127.0.0.1', 'http://127.0.0.1:8080/x'), true);
  assert.equal(np('0.0.1', 'http://127.0.0.1/x'), false);
  assert.equal(np('h:8080', 'http://h:8080/x'), true);
  assert.equal(np('h:8080', 'http://h:9090/x'), false);
  assert.equal(np('h:443', 'https://h/x'), true);
  assert.equal(np('[::1]', 'http://[::1]:80/x'), true);
  assert.equal(np('::1', 'http://[::1]/x'), true);
  assert.equal(np('a.org, b.org', 'https://b.org/x'), true);
  assert.equal(np('*', 'https://anything/x'), true);
  assert.equal(np('Example.COM', 'https://www.example.com/x'), true);
  assert.equal(bypassesProxy(u('https://h/x'), { no_proxy: 'h', NO_PROXY: '' }), true);
  assert.equal(chosen('https://intra.corp/x', { https_proxy: 'http://p:1', no_proxy: 'corp' }), undefined);
});

test('a proxy is printed without its credentials, with the variable it came from', () => {
  const choice = proxyFor(u('https://h/x'), { HTTPS_PROXY: 'http://user:secret@p:3128' })!;
  assert.equal(describeProxy(choice), 'http://p:3128 (from HTTPS_PROXY)');
});
