// The address policy on its own: which addresses a job's HTTP traffic may go to, however they are
// spelled, and what an operator's allowance changes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { addressCheck, currentAddressPolicy, parseAllowedCIDRs } from "../../src/netpolicy/address-policy.ts";
import { embeddedV4, formatIP, inCIDR, parseCIDR, parseIP } from "../../src/netpolicy/ip.ts";
import { ownListenerPorts, registerOwnListener } from "../../src/netpolicy/own-listeners.ts";
import { tempDir } from "../helpers/node.ts";
import { runCli } from "../helpers/spawn.ts";

const HOST = ["127.0.0.1", "::1", "203.0.113.7", "fe80::1"];

test("every spelling of a loopback, metadata or unspecified address is refused", () => {
  const check = addressCheck({ allowedCIDRs: [], nodePorts: [], hostAddresses: HOST });
  // What the URL parser makes of odd spellings is what reaches the check; all land on loopback.
  const spellings = ["0x7f.1", "2130706433", "127.1", "0177.0.0.1", "0x7f000001", "[::ffff:127.0.0.1]",
    "[::FFFF:7F00:1]", "[0:0:0:0:0:ffff:7f00:1]", "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[::1]", "[0::1]", "127.0.0.1."];
  for (const spelled of spellings) {
    const host = new URL(`http://${spelled}:8080/`).hostname;
    const why = check(host, 8080);
    assert.match(why ?? "", /is a loopback address; jobs may reach it only if the operator lists/, `${spelled} → ${host}`);
  }
  for (const [address, what] of [
    ["0.0.0.0", /unspecified/], ["::", /unspecified/], ["0.1.2.3", /unspecified/], ["::ffff:0.0.0.0", /unspecified/],
    ["169.254.169.254", /cloud metadata/], ["::ffff:169.254.169.254", /cloud metadata/], ["fd00:ec2::254", /cloud metadata/],
    ["100.100.100.200", /cloud metadata/], ["224.0.0.1", /multicast or reserved/], ["255.255.255.255", /multicast or reserved/],
    ["ff02::1", /multicast or reserved/], ["169.254.1.1", /link-local/], ["fe80::99%eth0", /link-local/],
    ["10.1.2.3", /private/], ["172.31.0.1", /private/], ["192.168.1.1", /private/], ["100.64.0.1", /private/],
    ["fd12::1", /private/], ["::ffff:10.0.0.1", /private/], ["203.0.113.7", /this host's own addresses/],
  ] as const) {
    assert.match(check(address, 80) ?? "", what, address);
  }
  for (const address of ["93.184.216.34", "172.32.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]) {
    assert.equal(check(address, 80), undefined, address);
  }
});

test("the operator's CIDRs open private and loopback ranges, never the node's own ports", () => {
  const check = addressCheck({
    allowedCIDRs: ["10.1.0.0/16", "127.0.0.0/8", "fd00::/8", "203.0.113.0/24", "203.0.113.9/32"],
    nodePorts: [1234],
    hostAddresses: [...HOST, "203.0.113.9", "fd00::2"],
  });
  assert.equal(check("10.1.200.3", 80), undefined);
  assert.match(check("10.2.0.1", 80) ?? "", /private/, "outside the allowed range");
  assert.equal(check("127.0.0.2", 80), undefined);
  assert.equal(check("::ffff:127.0.0.2", 80), undefined, "the mapped form follows its IPv4");
  assert.equal(check("fd12::1", 80), undefined);
  // A host address is reachable only when listed exactly, not by a range that happens to cover it.
  assert.match(check("203.0.113.7", 80) ?? "", /own addresses; .* that exact address/);
  assert.equal(check("203.0.113.9", 80), undefined);
  assert.match(check("fd00::2", 80) ?? "", /own addresses/);
  // The node's ports, on any of the host's addresses, whatever is allowed.
  for (const address of ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1", "203.0.113.9", "0.0.0.0"]) {
    assert.match(check(address, 1234) ?? "", /never connect/, address);
  }
  assert.equal(check("10.1.0.1", 1234), undefined, "another machine's port 1234 is not the node's");
  // Metadata stays closed even inside an allowed range.
  const wide = addressCheck({ allowedCIDRs: ["169.254.0.0/16"], nodePorts: [], hostAddresses: [] });
  assert.equal(wide("169.254.1.1", 80), undefined);
  assert.match(wide("169.254.169.254", 80) ?? "", /cloud metadata/);
});

test("bad operator ranges are refused by name; addresses parse only in their strict forms", () => {
  for (const bad of ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "example.org/24", "10.0.0.0/8/1", "0x7f.1/32"]) {
    assert.throws(() => parseAllowedCIDRs([bad]), /JobNetworking\.AllowedCIDRs: .* is not a CIDR range/, bad);
  }
  assert.deepEqual(parseAllowedCIDRs(["10.1.2.3/8"])[0], parseCIDR("10.0.0.0/8"));
  for (const odd of ["0x7f.1", "2130706433", "127.1", "1::2::3", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3", "256.0.0.1"]) {
    assert.equal(parseIP(odd), undefined, odd);
  }
  const mapped = parseIP("[::ffff:192.0.2.1]");
  assert.ok(mapped);
  assert.equal(formatIP(embeddedV4(mapped)!), "192.0.2.1");
  assert.equal(embeddedV4(parseIP("::1")!), undefined);
  assert.ok(inCIDR(parseIP("172.16.5.4")!, parseCIDR("172.16.0.0/12")));
  assert.ok(!inCIDR(parseIP("::ffff:172.16.5.4")!, parseCIDR("172.16.0.0/12")), "a v6 address is not in a v4 range");
});

test("a registered listener's port is the node's until it is forgotten", () => {
  const forget = registerOwnListener(40123);
  const again = registerOwnListener(40123);
  assert.ok(currentAddressPolicy().nodePorts.includes(40123));
  forget();
  forget();
  assert.ok(ownListenerPorts().includes(40123), "still held by the second registration");
  again();
  assert.ok(!ownListenerPorts().includes(40123));
});

test("serve refuses a bad JobNetworking setting at start, naming it", async (t) => {
  const base = ["serve", "--node-type", "requester,compute", "--host", "127.0.0.1", "--api-port", "0", "--no-p2p",
    "--local-publisher-port", "0", "--data-dir", tempDir(t, "bacalhau-netcfg-")];
  const cidr = await runCli([...base, "-c", "JobNetworking.AllowedCIDRs=127.0.0.2/32,10.0.0.0/40"]);
  assert.equal(cidr.code, 1, cidr.stdout);
  assert.match(cidr.stderr, /^Error: JobNetworking\.AllowedCIDRs: 10\.0\.0\.0\/40 is not a CIDR range/m);
  const port = await runCli([...base, "-c", "JobNetworking.ConnectPorts=8443,x"]);
  assert.equal(port.code, 1, port.stdout);
  assert.match(port.stderr, /^Error: JobNetworking\.ConnectPorts: x is not a TCP port/m);
});
