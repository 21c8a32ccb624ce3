import assert from "node:assert/strict";
import { test } from "node:test";
import { AllowList, hostAllowed, hostOnly } from "../../src/netpolicy/allow-list.ts";

test("exact hosts match only themselves, case and trailing dot aside", () => {
  const list = new AllowList(["api.example.org"]);
  assert.equal(list.allows("api.example.org"), true);
  assert.equal(list.allows("API.Example.ORG"), true);
  assert.equal(list.allows("api.example.org."), true);
  assert.equal(list.allows("api.example.org:8443"), true);
  assert.equal(list.allows("example.org"), false);
  assert.equal(list.allows("x.api.example.org"), false);
  assert.equal(list.allows("api.example.org.evil.com"), false);
  assert.equal(list.allows("evilapi.example.org"), false);
});

test("a leading dot covers the domain and every subdomain", () => {
  const list = new AllowList([".foo.com"]);
  for (const h of ["foo.com", "x.foo.com", "y.x.foo.com"]) assert.equal(list.allows(h), true, h);
  for (const h of ["barfoo.com", "foo.com.evil.net", "com", "oo.com"]) assert.equal(list.allows(h), false, h);
});

test("a * glob stands for part of one label", () => {
  assert.equal(hostAllowed("a.x.com", ["*.x.com"]), true);
  assert.equal(hostAllowed("a.b.x.com", ["*.x.com"]), false);
  assert.equal(hostAllowed("x.com", ["*.x.com"]), false);
  assert.equal(hostAllowed("api.dev", ["api.*"]), true);
  assert.equal(hostAllowed("api.eu.com", ["api.*.com"]), true);
  assert.equal(hostAllowed("api.eu.org", ["api.*.com"]), false);
  assert.equal(hostAllowed("anything", ["*"]), true);
  assert.equal(hostAllowed("a.b", ["*"]), false);
  // Regex characters in an entry are literal.
  assert.equal(hostAllowed("aXb.com", ["a.b.com"]), false);
  assert.equal(hostAllowed("10.0.0.1", ["*.0.0.1"]), false, "globs never match IP addresses");
});

test("IP entries match as addresses", () => {
  assert.equal(hostAllowed("10.1.2.3", ["10.1.2.3"]), true);
  assert.equal(hostAllowed("10.1.2.3:80", ["10.1.2.3"]), true);
  assert.equal(hostAllowed("10.1.2.4", ["10.1.2.3"]), false);
  assert.equal(hostAllowed("[::1]:443", ["0:0::1"]), true);
  assert.equal(hostAllowed("::1", ["[::1]"]), true);
  assert.equal(hostAllowed("fe80::1", ["::1"]), false);
  assert.equal(hostAllowed("1.2.3.4", [".2.3.4"]), false, "a dotted IP is not under a domain");
});

test("an empty list or an empty host allows nothing", () => {
  assert.equal(hostAllowed("example.org", []), false);
  assert.equal(hostAllowed("", [".example.org", "*"]), false);
  assert.equal(hostAllowed("example.org", ["", "  "]), false);
});

test("hostOnly strips ports and brackets", () => {
  assert.equal(hostOnly("a.com:443"), "a.com");
  assert.equal(hostOnly("[::1]:80"), "::1");
  assert.equal(hostOnly("::1"), "::1");
  assert.equal(hostOnly("a.com"), "a.com");
});
